// The live stream at GET /api/v1/stream (WebSocket): every message in either direction is one JSON
// object with a `type`; server messages about a device carry `device_id`. The server and the
// dashboard both import this file, so they cannot drift apart.
import { z } from 'zod';

export const STREAM_PATH = '/api/v1/stream';
/** Close codes (4000-4999 are ours). */
export const STREAM_CLOSE = { unauthenticated: 4401, authTimeout: 4408, badMessage: 4400 } as const;
/** Most device ids one connection may follow. */
export const STREAM_MAX_SUBSCRIPTIONS = 1000;

const deviceIds = z.array(z.string().min(1).max(64)).min(1).max(STREAM_MAX_SUBSCRIPTIONS);

export const streamClientMessage = z.discriminatedUnion('type', [
  /** First message when the token is not in the `token` query parameter; also renews it later. */
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('subscribe'), device_ids: deviceIds }),
  z.object({ type: z.literal('unsubscribe'), device_ids: deviceIds }),
  z.object({ type: z.literal('ping') }),
]);
export type StreamClientMessage = z.infer<typeof streamClientMessage>;

export interface StreamPoint {
  ts: number;
  field: string;
  value: number | boolean | string;
}

export type CommandState = 'pending' | 'delivered' | 'acked' | 'failed' | 'expired';

export type StreamServerMessage =
  | { type: 'ready'; user_id: string; username: string }
  /** Answer to subscribe: the ids now followed, and those refused (unknown or not readable: same answer). */
  | { type: 'subscribed'; device_ids: string[]; denied: string[] }
  | { type: 'unsubscribed'; device_ids: string[] }
  | { type: 'points'; device_id: string; points: StreamPoint[] }
  | { type: 'status'; device_id: string; online: boolean; status?: string; last_seen?: number }
  | { type: 'command'; device_id: string; command_id: string; command: string; status: CommandState; result?: unknown }
  | { type: 'device_deleted'; device_id: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };
