// Hostile input at the transport level: a request without Host, malformed WebSocket frames on the
// live stream, and /metrics read by someone who may not. Raw bytes over TCP, so nothing a client
// library would fix up hides the server's answer; the platform's log is captured to check the level
// malformed frames are logged at. Each case checks the exact answer and that the server still serves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { type Platform, createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { STREAM_PATH } from '../../src/contract/stream.ts';
import { ADMIN_PASSWORD, request } from '../helpers/platform.ts';

const METRICS_TOKEN = 'metrics-token-for-the-hostile-suite-0123';

/** Sends `raw` on a fresh connection and returns everything the server wrote until it closed. */
function rawExchange(port: number, raw: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

function parseHttp(raw: Buffer): { status: number; headers: Record<string, string>; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]), headers, body: text.slice(end + 4) };
}

/** A client frame: FIN set, `opcode`, masked unless told otherwise (clients must mask). */
function frame(opcode: number, payload: Buffer, { masked = true, declaredLength }: { masked?: boolean; declaredLength?: number } = {}): Buffer {
  const length = declaredLength ?? payload.length;
  const maskBit = masked ? 0x80 : 0;
  let head: Buffer;
  if (length < 126) head = Buffer.from([0x80 | opcode, maskBit | length]);
  else if (length < 65_536) head = Buffer.from([0x80 | opcode, maskBit | 126, length >> 8, length & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

/** Opens the live stream over a raw socket, sends `bad`, and returns the close code the server sent. */
async function closeCodeFor(port: number, bad: Buffer): Promise<number> {
  const upgrade =
    `GET ${STREAM_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let upgraded = false;
  socket.on('data', (d) => {
    chunks.push(d);
    if (!upgraded && Buffer.concat(chunks).includes('\r\n\r\n')) {
      upgraded = true;
      socket.write(bad);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(upgrade));
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
  const all = Buffer.concat(chunks);
  const http = all.indexOf('\r\n\r\n');
  assert.match(all.subarray(0, http).toString('latin1'), /^HTTP\/1\.1 101 /);
  // Server frames are unmasked; skip any before the close frame (opcode 8).
  let at = http + 4;
  while (at < all.length) {
    const opcode = all[at]! & 0x0f;
    const length = all[at + 1]! & 0x7f;
    if (opcode === 8) return all.readUInt16BE(at + 2);
    at += 2 + length;
  }
  throw new Error('the server closed the socket without a close frame');
}

describe('hostile transport input', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-transport-'));
  const logLines: Array<Record<string, unknown>> = [];
  let platform: Platform;
  let port: number;
  let base: string;

  before(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: dataDir, ADMIN_PASSWORD, METRICS_TOKEN, LOG_LEVEL: 'info' });
    platform = await createPlatform(config, pino({ level: 'info' }, capture));
    port = (await platform.listen()).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const assertHealthy = async () => assert.equal((await request(base, 'GET', '/health')).status, 200);

  it('answers an HTTP/1.1 request without Host with 400 VALIDATION_FAILED in the JSON error shape', async () => {
    const res = parseHttp(await rawExchange(port, 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'));
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), {
      error: { code: 'VALIDATION_FAILED', message: 'An HTTP/1.1 request must have a Host header (RFC 9112, section 3.2)' },
    });
    // HTTP/1.0 has no Host requirement.
    assert.equal(parseHttp(await rawExchange(port, 'GET /health HTTP/1.0\r\n\r\n').then((b) => Buffer.from(b.toString('latin1').replace(/^HTTP\/1\.0/, 'HTTP/1.1'), 'latin1'))).status, 200);
    await assertHealthy();
  });

  it('closes malformed WebSocket frames with the close code of the fault, logged at warn and counted', async () => {
    const cases: Array<[string, Buffer, number]> = [
      ['expected_mask', frame(0x1, Buffer.from('{"type":"auth"}'), { masked: false }), 1002],
      ['invalid_opcode', frame(0x3, Buffer.from('x')), 1002],
      ['invalid_utf8', frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])), 1007],
      ['unsupported_message_length', frame(0x2, Buffer.alloc(0), { declaredLength: 65 * 1024 }), 1009],
    ];
    for (const [reason, bad, closeCode] of cases) {
      assert.equal(await closeCodeFor(port, bad), closeCode, reason);
    }
    const frameLogs = logLines.filter((l) => l.msg === 'malformed WebSocket frame; connection closed');
    assert.deepEqual(
      frameLogs.map((l) => [l.level, l.reason, 'err' in l]),
      cases.map(([reason]) => [40, reason, false]),
    );
    assert.deepEqual(logLines.filter((l) => (l.level as number) >= 50), [], 'nothing at error level');
    const metrics = await request(base, 'GET', '/metrics', { token: METRICS_TOKEN });
    for (const [reason] of cases) {
      assert.match(metrics.text, new RegExp(`^fluxgate_ws_protocol_errors_total\\{reason="${reason}"\\} 1$`, 'm'));
    }
    await assertHealthy();
  });

  it('serves /metrics to METRICS_TOKEN and admins only', async () => {
    const admin = (await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
    await request(base, 'POST', '/api/v1/auth/register', { body: { username: 'plain-user', password: 'user-password-1' } });
    const user = (await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'plain-user', password: 'user-password-1' } })).body.access_token as string;
    const refused: Array<[string | undefined, number, string]> = [
      [undefined, 401, 'UNAUTHENTICATED'],
      ['not-the-metrics-token', 401, 'INVALID_TOKEN'],
      [`${METRICS_TOKEN}x`, 401, 'INVALID_TOKEN'],
      [user, 403, 'FORBIDDEN'],
    ];
    for (const [token, status, code] of refused) {
      const res = await request(base, 'GET', '/metrics', { token });
      assert.deepEqual([res.status, res.body?.error?.code], [status, code], String(token));
      assert.doesNotMatch(res.text, /fluxgate_points_ingested_total/);
    }
    for (const token of [METRICS_TOKEN, admin]) {
      const res = await request(base, 'GET', '/metrics', { token });
      assert.equal(res.status, 200);
      assert.match(res.text, /^# TYPE fluxgate_points_ingested_total counter$/m);
    }
    await assertHealthy();
  });
});
