// GET /api/v1/stream: the live WebSocket. The client authenticates with its access token (query
// parameter `token`, or a first {type:'auth'} message), subscribes to device ids, and receives the
// points (and status/command events) of the devices it may read, and may subscribe to the alarm changes
// of every device it may read. When access changes while it is
// open (grant revoked, user deactivated, …) the hub asks it to re-check: devices it lost are dropped
// with an 'access_revoked' message, an ended session closes the socket. Messages: src/contract/stream.ts.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { isFluxgateError } from '../../contract/errors.ts';
import {
  STREAM_CLOSE,
  STREAM_MAX_SUBSCRIPTIONS,
  STREAM_PATH,
  type StreamServerMessage,
} from '../../contract/stream.ts';
import { streamClientMessage } from '../../contract/stream-schema.ts';
import { decodeUtf8, jsonTextProblem } from '../../domain/text.ts';
import type { Principal } from '../../services/auth-service.ts';
import type { AccessChangeReason } from '../../services/event-bus.ts';
import type { HttpDeps } from '../http/http-deps.ts';
import type { StreamClient, StreamHub } from './stream-hub.ts';

const AUTH_TIMEOUT_MS = 10_000;
/** A client that reads this far behind loses live messages rather than growing server memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Read decisions an alarm subscription remembers before it starts over (bounds memory per connection). */
const MAX_REMEMBERED_ACCESS = 10_000;
/**
 * How long "may not read" is believed. A revocation announces itself (forgetAccess), a new grant does
 * not, so a device shared meanwhile is heard of within this long rather than never.
 */
const DENIAL_TTL_MS = 5_000;

const REVOKED_BECAUSE: Record<AccessChangeReason, string> = {
  unshared: 'your access to it was revoked',
  transferred: 'it was given to another owner',
  'sessions-revoked': 'your sessions were revoked',
  'user-deactivated': 'your account was deactivated',
  'user-deleted': 'your account was deleted',
};

export function streamRoute(app: FastifyInstance, deps: HttpDeps, hub: StreamHub): void {
  app.get(STREAM_PATH, { websocket: true, schema: { hide: true } }, (socket: WebSocket, request) => {
    let principal: Principal | undefined;
    /** When the newest token this connection authenticated with was issued (sessions revoked later end it). */
    let issuedAtMs = 0;
    let closed = false;
    /** Counts access changes announced for this connection; a subscribe that saw one re-checks. */
    let accessChanges = 0;
    /**
     * For the alarm subscription: true when the user may read a device, else until when that "no"
     * holds (DENIAL_TTL_MS); all forgotten when access changes.
     */
    let readable = new Map<string, true | number>();
    const known = (deviceId: string): boolean | undefined => {
      const r = readable.get(deviceId);
      return r === true ? true : r !== undefined && r > Date.now() ? false : undefined;
    };
    // Messages and access re-checks are handled one after another so none races another.
    let chain: Promise<unknown> = Promise.resolve();
    const enqueue = (job: () => Promise<unknown>) => {
      chain = chain.then(job).catch((err: unknown) => request.log.warn({ err }, 'stream message failed'));
    };
    const client: StreamClient = {
      send(message: StreamServerMessage) {
        if (socket.readyState !== socket.OPEN) return;
        if (message.type === 'points' && socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
        socket.send(JSON.stringify(message));
      },
      userId: () => principal?.userId,
      recheck(deviceIds, reason) {
        accessChanges += 1;
        enqueue(() => recheck(deviceIds, reason));
      },
      sendIfReadable(deviceId, message) {
        const may = known(deviceId);
        if (may === true) return client.send(message);
        if (may === false) return;
        // Not known yet: checked in turn, so later messages of this device (also queued) keep their order.
        enqueue(async () => {
          if (closed || !principal) return;
          const decided = known(deviceId) ?? (await deps.access.require(principal, deviceId, 'read').then(() => true, () => false));
          if (readable.size >= MAX_REMEMBERED_ACCESS) readable = new Map();
          readable.set(deviceId, decided || Date.now() + DENIAL_TTL_MS);
          if (decided) client.send(message);
        });
      },
      forgetAccess() {
        readable = new Map();
      },
    };
    const fail = (code: number, errorCode: string, message: string) => {
      client.send({ type: 'error', code: errorCode, message });
      closed = true;
      hub.disconnect(client);
      socket.close(code, errorCode);
    };

    async function authenticate(token: string): Promise<boolean> {
      try {
        const { principal: p, issuedAtMs: issued } = await deps.auth.authenticateSession(token);
        if (principal && p.userId !== principal.userId) {
          fail(STREAM_CLOSE.unauthenticated, 'FORBIDDEN', 'A connection cannot change user');
          return false;
        }
        const first = !principal;
        principal = p;
        issuedAtMs = Math.max(issuedAtMs, issued);
        hub.connect(client);
        if (first) client.send({ type: 'ready', user_id: p.userId, username: p.username });
        return true;
      } catch (err) {
        const code = isFluxgateError(err) ? err.code : 'INVALID_TOKEN';
        fail(STREAM_CLOSE.unauthenticated, code, 'The access token is invalid or expired');
        return false;
      }
    }

    /** The hub stopped delivering `deviceIds`: re-follow those still readable, drop the rest. */
    async function recheck(deviceIds: string[], reason: AccessChangeReason) {
      if (closed || !principal) return;
      if (deviceIds.length === 0 && reason === 'unshared') return;
      try {
        principal = await deps.auth.stillSignedIn(principal.userId, issuedAtMs);
      } catch (err) {
        const code = isFluxgateError(err) ? err.code : 'INVALID_TOKEN';
        return fail(STREAM_CLOSE.unauthenticated, code, `The stream ended because ${REVOKED_BECAUSE[reason]}; sign in again`);
      }
      for (const id of deviceIds) {
        try {
          await deps.access.require(principal, id, 'read');
          if (!closed) hub.follow(client, id);
        } catch {
          client.send({
            type: 'access_revoked',
            device_id: id,
            reason,
            message: `You no longer receive updates for device ${id}: ${REVOKED_BECAUSE[reason]}`,
          });
        }
      }
    }

    async function subscribe(user: Principal, ids: string[]) {
      const granted: string[] = [];
      const denied: string[] = [];
      for (const id of new Set(ids)) {
        const followed = hub.followedBy(client);
        if (followed.size >= STREAM_MAX_SUBSCRIPTIONS && !followed.has(id)) {
          denied.push(id);
          continue;
        }
        try {
          const seen = accessChanges;
          await deps.access.require(user, id, 'read');
          // Access changed while we looked: look again, after the change was committed.
          if (accessChanges !== seen) await deps.access.require(principal ?? user, id, 'read');
          if (closed) return;
          hub.follow(client, id);
          granted.push(id);
        } catch {
          denied.push(id);
        }
      }
      client.send({ type: 'subscribed', device_ids: granted, denied });
    }

    const timer = setTimeout(() => {
      if (!principal) fail(STREAM_CLOSE.authTimeout, 'UNAUTHENTICATED', 'Send {"type":"auth","token":…} first');
    }, AUTH_TIMEOUT_MS);
    const queryToken = (request.query as Record<string, unknown>).token;
    if (typeof queryToken === 'string') enqueue(() => authenticate(queryToken));

    socket.on('message', (data) => {
      enqueue(async () => {
        let parsed: unknown;
        try {
          const text = decodeUtf8(Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]));
          if (text === undefined) throw new Error('not UTF-8');
          parsed = JSON.parse(text);
        } catch {
          return client.send({ type: 'error', code: 'INVALID_JSON', message: 'Messages must be JSON objects' });
        }
        const badText = jsonTextProblem(parsed, 'message');
        if (badText) return client.send({ type: 'error', code: 'VALIDATION_FAILED', message: `${badText.field}: ${badText.problem}` });
        const result = streamClientMessage.safeParse(parsed);
        if (!result.success) {
          const issue = result.error.issues[0];
          return client.send({ type: 'error', code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') || 'message'}: ${issue?.message}` });
        }
        const msg = result.data;
        if (msg.type === 'auth') return authenticate(msg.token);
        if (msg.type === 'ping') return client.send({ type: 'pong' });
        if (!principal) return fail(STREAM_CLOSE.unauthenticated, 'UNAUTHENTICATED', 'Authenticate first');
        if (msg.type === 'subscribe') return subscribe(principal, msg.device_ids);
        if (msg.type === 'subscribe_alarms' || msg.type === 'unsubscribe_alarms') {
          const on = msg.type === 'subscribe_alarms';
          hub.followAlarms(client, on);
          return client.send({ type: 'alarms_subscribed', subscribed: on });
        }
        for (const id of msg.device_ids) hub.unfollow(client, id);
        client.send({ type: 'unsubscribed', device_ids: msg.device_ids });
      });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      closed = true;
      hub.disconnect(client);
    });
  });
}
