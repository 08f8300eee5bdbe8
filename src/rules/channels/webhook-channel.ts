// Webhook channel: POSTs the payload as JSON to the checked address (see webhook-guard), signed
// with `X-Fluxgate-Signature: sha256=<hex HMAC-SHA256 of the body>` and carrying the row's
// idempotency key. Only a 2xx counts; a redirect is a failure and is never followed.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboxRow } from '../../domain/notification.ts';
import type { Channel } from './channel.ts';
import { type PrivateAllowance, checkWebhookTarget } from './webhook-guard.ts';

export const signBody = (body: string, secret: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export class WebhookChannel implements Channel {
  readonly name = 'webhook' as const;

  constructor(private readonly options: { allow: PrivateAllowance; timeoutMs: number; userAgent: string }) {}

  async send(row: OutboxRow): Promise<void> {
    const target = row.target as { url?: string; secret?: string };
    if (!target.url || !target.secret) throw new Error('the row has no webhook URL and secret');
    const checked = await checkWebhookTarget(target.url, this.options.allow);
    const body = JSON.stringify(row.payload);
    const pinned: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: checked.address, family: checked.family }]);
      else callback(null, checked.address, checked.family);
    };
    const request = checked.url.protocol === 'https:' ? https.request : http.request;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        checked.url,
        {
          method: 'POST',
          lookup: pinned,
          timeout: this.options.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': this.options.userAgent,
            'x-fluxgate-signature': signBody(body, target.secret as string),
            'x-fluxgate-idempotency-key': row.idempotencyKey,
            'x-fluxgate-event': typeof row.payload.event === 'string' ? row.payload.event : row.eventKind,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
    if (status >= 300 && status < 400) throw new Error(`the receiver answered ${status} (a redirect); redirects are not followed`);
    if (status < 200 || status >= 300) throw new Error(`the receiver answered ${status}`);
  }
}
