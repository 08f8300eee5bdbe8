// The live stream at GET /api/v1/stream (WebSocket): every message in either direction is one JSON
// object with a `type`; server messages about a device carry `device_id`. The server and the
// dashboard both import this file, so they cannot drift apart. It holds no code beyond constants,
// so the browser bundle stays small; the server validates client messages with stream-schema.ts.
export const STREAM_PATH = '/api/v1/stream';
/** Close codes (4000-4999 are ours). */
export const STREAM_CLOSE = { unauthenticated: 4401, authTimeout: 4408, badMessage: 4400 } as const;
/** Most device ids one connection may follow. */
export const STREAM_MAX_SUBSCRIPTIONS = 1000;

export interface StreamPoint {
  ts: number;
  field: string;
  value: number | boolean | string;
}

export type StreamClientMessage =
  /** First message when the token is not in the `token` query parameter; also renews it later. */
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; device_ids: string[] }
  | { type: 'unsubscribe'; device_ids: string[] }
  /**
   * Alarm changes of every device the user may read, whether followed or not (the Alarms page and
   * the navigation badge); each change is sent once even when its device is also followed.
   */
  | { type: 'subscribe_alarms' }
  | { type: 'unsubscribe_alarms' }
  | { type: 'ping' };

export type CommandState = 'pending' | 'delivered' | 'acked' | 'failed' | 'expired';

export type AlarmStreamEvent = 'raised' | 'acknowledged' | 'cleared' | 'severity_changed' | 'comment' | 'action';

export type StreamServerMessage =
  | { type: 'ready'; user_id: string; username: string }
  /** Answer to subscribe: the ids now followed, and those refused (unknown or not readable: same answer). */
  | { type: 'subscribed'; device_ids: string[]; denied: string[] }
  | { type: 'unsubscribed'; device_ids: string[] }
  /** Answer to subscribe_alarms (true) and unsubscribe_alarms (false). */
  | { type: 'alarms_subscribed'; subscribed: boolean }
  | { type: 'points'; device_id: string; points: StreamPoint[] }
  | { type: 'status'; device_id: string; online: boolean; status?: string; last_seen?: number }
  | { type: 'command'; device_id: string; command_id: string; command: string; status: CommandState; result?: unknown }
  | { type: 'device_deleted'; device_id: string }
  /**
   * An alarm of the device changed; `state` and `severity` are the alarm's after the change. Sent to
   * the followers of the device and to connections subscribed to alarms that may read it.
   */
  | {
      type: 'alarm';
      device_id: string;
      alarm_id: string;
      rule_id: string;
      rule_name: string;
      event: AlarmStreamEvent;
      severity: 'info' | 'warning' | 'minor' | 'major' | 'critical';
      state: 'active' | 'acknowledged' | 'cleared';
      at: number;
      user_id: string | null;
      comment: string | null;
    }
  /**
   * The connection may no longer read this device (grant revoked, device given to another owner):
   * it is unsubscribed and gets nothing more about it. When the user's session ends (deactivated,
   * deleted, logged out everywhere) the server sends an `error` instead and closes with 4401.
   */
  | { type: 'access_revoked'; device_id: string; reason: string; message: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };
