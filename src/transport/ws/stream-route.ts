// GET /api/v1/stream: the live WebSocket. The client authenticates with its access token (query
// parameter `token`, or a first {type:'auth'} message), subscribes to device ids, and receives the
// points (and status/command events) of the devices it may read. Messages: src/contract/stream.ts.
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
import type { Principal } from '../../services/auth-service.ts';
import type { HttpDeps } from '../http/http-deps.ts';
import type { StreamClient, StreamHub } from './stream-hub.ts';

const AUTH_TIMEOUT_MS = 10_000;
/** A client that reads this far behind loses live messages rather than growing server memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function streamRoute(app: FastifyInstance, deps: HttpDeps, hub: StreamHub): void {
  app.get(STREAM_PATH, { websocket: true, schema: { hide: true } }, (socket: WebSocket, request) => {
    let principal: Principal | undefined;
    const followed = new Set<string>();
    const client: StreamClient = {
      send(message: StreamServerMessage) {
        if (socket.readyState !== socket.OPEN) return;
        if (message.type === 'points' && socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
        socket.send(JSON.stringify(message));
      },
    };
    const fail = (code: number, errorCode: string, message: string) => {
      client.send({ type: 'error', code: errorCode, message });
      socket.close(code, errorCode);
    };

    async function authenticate(token: string): Promise<boolean> {
      try {
        const p = await deps.auth.authenticate(token);
        if (principal && p.userId !== principal.userId) {
          fail(STREAM_CLOSE.unauthenticated, 'FORBIDDEN', 'A connection cannot change user');
          return false;
        }
        const first = !principal;
        principal = p;
        if (first) client.send({ type: 'ready', user_id: p.userId, username: p.username });
        return true;
      } catch (err) {
        const code = isFluxgateError(err) ? err.code : 'INVALID_TOKEN';
        fail(STREAM_CLOSE.unauthenticated, code, 'The access token is invalid or expired');
        return false;
      }
    }

    async function subscribe(user: Principal, ids: string[]) {
      const granted: string[] = [];
      const denied: string[] = [];
      for (const id of new Set(ids)) {
        if (followed.size >= STREAM_MAX_SUBSCRIPTIONS && !followed.has(id)) {
          denied.push(id);
          continue;
        }
        try {
          await deps.access.require(user, id, 'read');
          followed.add(id);
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
    const ready = typeof queryToken === 'string' ? authenticate(queryToken) : Promise.resolve(false);

    // Messages are handled one after another so a subscribe never races its own auth.
    let chain: Promise<unknown> = ready;
    socket.on('message', (data) => {
      chain = chain.then(async () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          return client.send({ type: 'error', code: 'INVALID_JSON', message: 'Messages must be JSON objects' });
        }
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
        for (const id of msg.device_ids) {
          followed.delete(id);
          hub.unfollow(client, id);
        }
        client.send({ type: 'unsubscribed', device_ids: msg.device_ids });
      }).catch((err: unknown) => request.log.warn({ err }, 'stream message failed'));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      for (const id of followed) hub.unfollow(client, id);
      followed.clear();
    });
  });
}
