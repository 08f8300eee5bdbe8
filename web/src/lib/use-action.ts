// Runs a user's action (a POST, a DELETE…), then `onDone` (typically a reload); a failure is kept
// for display instead of thrown, and cleared when the next action starts.
import { useState } from 'react';

export function useAction(onDone: () => void): { error: unknown; act: (action: () => Promise<unknown>) => Promise<void> } {
  const [error, setError] = useState<unknown>();
  async function act(action: () => Promise<unknown>): Promise<void> {
    setError(undefined);
    try {
      await action();
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return { error, act };
}
