// Validation of the messages a stream client sends (types and envelope: stream.ts).
import { z } from 'zod';
import { STREAM_MAX_SUBSCRIPTIONS, type StreamClientMessage } from './stream.ts';

const deviceIds = z.array(z.string().min(1).max(64)).min(1).max(STREAM_MAX_SUBSCRIPTIONS);

export const streamClientMessage = z.discriminatedUnion('type', [
  /** First message when the token is not in the `token` query parameter; also renews it later. */
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('subscribe'), device_ids: deviceIds }),
  z.object({ type: z.literal('unsubscribe'), device_ids: deviceIds }),
  z.object({ type: z.literal('subscribe_alarms') }),
  z.object({ type: z.literal('unsubscribe_alarms') }),
  z.object({ type: z.literal('ping') }),
]);

// Keeps the schema and the hand-written type in step: a mismatch fails the type-check.
export const _sameShape: z.ZodType<StreamClientMessage> = streamClientMessage;
