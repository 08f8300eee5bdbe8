// Runs `fn` at most once per `ms`: the first call runs it at once, calls during the pause run it once
// more at its end. For reloads triggered by live events, which can come thousands at a time (10,000
// devices going silent raise 10,000 alarms at once): the page refetches a few times, not 10,000.
import { useCallback, useEffect, useRef } from 'react';

export function useCoalesced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  latest.current = fn;
  const state = useRef<{ timer: ReturnType<typeof setTimeout> | undefined; pending: boolean }>({ timer: undefined, pending: false });
  useEffect(
    () => () => {
      clearTimeout(state.current.timer);
      state.current = { timer: undefined, pending: false };
    },
    [],
  );
  return useCallback(() => {
    const s = state.current;
    if (s.timer !== undefined) {
      s.pending = true;
      return;
    }
    latest.current();
    const pause = () => {
      s.timer = setTimeout(() => {
        s.timer = undefined;
        if (!s.pending) return;
        s.pending = false;
        latest.current();
        pause();
      }, ms);
    };
    pause();
  }, [ms]);
}
