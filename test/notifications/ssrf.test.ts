// SSRF: webhook targets that resolve to loopback, link-local, private or other non-public
// addresses (IPv4 and IPv6) are refused, when saved and again when sent, unless
// WEBHOOK_ALLOW_PRIVATE allows them (true, or a list of hosts and CIDRs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isFluxgateError } from '../../src/contract/errors.ts';
import { WebhookChannel } from '../../src/rules/channels/webhook-channel.ts';
import { checkWebhookTarget, parseAllowPrivate } from '../../src/rules/channels/webhook-guard.ts';
import type { OutboxRow } from '../../src/domain/notification.ts';
import { forEachStorage } from '../helpers/platform.ts';
import { type WebhookReceiver, startWebhookReceiver } from './receivers.ts';

const NONE = parseAllowPrivate('false');
const SECRET = 'a-webhook-secret-of-some-length';

async function refusal(url: string, allow = NONE): Promise<string> {
  try {
    await checkWebhookTarget(url, allow);
  } catch (err) {
    if (isFluxgateError(err) && err.code === 'WEBHOOK_TARGET_REFUSED') return err.message;
    throw err;
  }
  return 'allowed';
}

describe('webhook target guard', () => {
  it('refuses loopback, link-local, private, unique-local and mapped addresses (IPv4 and IPv6), and names resolving to them', async () => {
    for (const url of [
      'http://127.0.0.1/hook',
      'http://127.8.9.10:8080/',
      'http://localhost/hook',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://[fc00::1]/',
      'http://[fd12:3456::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::]/',
    ]) {
      assert.match(await refusal(url), /loopback, link-local or private/, url);
    }
  });

  it('refuses other schemes, credentials in the URL and names that do not resolve', async () => {
    assert.match(await refusal('ftp://example.com/'), /only http and https/);
    assert.match(await refusal('file:///etc/passwd'), /only http and https/);
    assert.match(await refusal('http://user:pw@example.com/'), /credentials/);
    assert.match(await refusal('http://no-such-host.invalid/'), /does not resolve/);
  });

  it('allows public addresses, and private ones when WEBHOOK_ALLOW_PRIVATE lists them', async () => {
    assert.equal(await refusal('https://93.184.215.14/hook'), 'allowed');
    assert.equal(await refusal('http://[2606:4700::1111]/'), 'allowed');
    assert.equal(await refusal('http://127.0.0.1/', parseAllowPrivate('true')), 'allowed');
    const list = parseAllowPrivate('10.0.0.0/8, hooks.internal ,::1');
    assert.equal(await refusal('http://10.9.8.7/', list), 'allowed');
    assert.equal(await refusal('http://[::1]:9000/', list), 'allowed');
    assert.match(await refusal('http://192.168.0.1/', list), /private/);
    assert.match(await refusal('http://127.0.0.1/', list), /private/);
  });
});

describe('webhook channel at send time', () => {
  let hook: WebhookReceiver;
  before(async () => {
    hook = await startWebhookReceiver();
  });
  after(() => hook.close());

  it('refuses a private target without sending anything, and sends when allowed', async () => {
    const row = { id: 'r1', payload: { event: 'raised' }, idempotencyKey: 'k'.repeat(40), eventKind: 'raised', target: { url: hook.url, secret: SECRET } } as unknown as OutboxRow;
    const refused = new WebhookChannel({ allow: NONE, timeoutMs: 5000, userAgent: 'test' });
    await assert.rejects(refused.send(row), (err: unknown) => isFluxgateError(err) && err.code === 'WEBHOOK_TARGET_REFUSED');
    assert.equal(hook.deliveries.length, 0);
    await new WebhookChannel({ allow: parseAllowPrivate('127.0.0.0/8'), timeoutMs: 5000, userAgent: 'test' }).send(row);
    assert.equal(hook.deliveries.length, 1);
  });
});

forEachStorage('webhook preferences without WEBHOOK_ALLOW_PRIVATE', (get) => {
  it('a private webhook URL is refused with 422 WEBHOOK_TARGET_REFUSED and nothing is saved', async () => {
    const tp = get();
    const user = await tp.newUser('ssrf-user');
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost/hook', 'http://[::1]/hook', 'http://169.254.169.254/', 'http://10.0.0.5/']) {
      const res = await tp.api('PUT', '/api/v1/notifications/preferences', { token: user.token, body: { severities: ['major'], channels: { webhook: { url, secret: SECRET } } } });
      assert.equal(res.status, 422, `${url}: ${res.text}`);
      assert.equal(res.body.error.code, 'WEBHOOK_TARGET_REFUSED');
      assert.match(res.body.error.message, /WEBHOOK_ALLOW_PRIVATE/);
    }
    assert.deepEqual((await tp.api('GET', '/api/v1/notifications/preferences', { token: user.token })).body.channels, {});
  });
});
