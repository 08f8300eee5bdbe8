// The logged-in session and the live stream, shared by every page.
import { type ReactNode, createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ApiClient, Session } from './api/client.ts';
import { LiveStream, type StreamState, streamUrl } from './api/stream.ts';

interface AppContext {
  api: ApiClient;
  stream: LiveStream;
  session: Session | undefined;
}

const Ctx = createContext<AppContext | undefined>(undefined);

export function AppProvider({ api, stream, children }: { api: ApiClient; stream?: LiveStream; children: ReactNode }) {
  const [session, setSession] = useState(api.current);
  const live = useMemo(() => stream ?? new LiveStream({ url: streamUrl(window.location), token: () => api.token() }), [api, stream]);
  useEffect(() => api.onSession(setSession), [api]);
  useEffect(() => {
    if (session) live.start();
    else live.stop();
  }, [live, session]);
  useEffect(() => () => live.stop(), [live]);
  const value = useMemo(() => ({ api, stream: live, session }), [api, live, session]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside AppProvider');
  return ctx;
}

export function useStreamState(): StreamState {
  const { stream } = useApp();
  const [state, setState] = useState(stream.status);
  useEffect(() => {
    setState(stream.status);
    return stream.onState(setState);
  }, [stream]);
  return state;
}
