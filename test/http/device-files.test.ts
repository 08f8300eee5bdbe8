// Device images and log files over real HTTP, on both databases and both blob drivers: upload,
// list, download, delete, type sniffing, hostile names, size limit, access, and device deletion
// taking files (blobs too), logs and telemetry with it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { postgresSkipReason } from '../helpers/services.ts';
import { type BlobKind, type DbKind, type Harness, PNG, startHarness } from './files-helpers.ts';

const LIMIT = 65_536;
const postgresSkip = await postgresSkipReason();
const COMBOS: Array<[DbKind, BlobKind]> = [
  ['sqlite', 'local'],
  ['sqlite', 's3'],
  ['postgres', 'local'],
  ['postgres', 's3'],
];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FILE_ID = /^file-[a-z0-9]{12}$/;
const ISO_NOW = (text: string) => Math.abs(Date.parse(text) - Date.now()) < 60_000;

for (const [db, blob] of COMBOS) {
  describe(`device files over HTTP [${db}, ${blob}]`, { skip: db === 'postgres' ? (postgresSkip ?? false) : false }, () => {
    let h: Harness;
    let alice: { token: string; id: string };
    let bob: { token: string; id: string };
    before(async () => {
      h = await startHarness(db, blob, { FILE_MAX_BYTES: String(LIMIT) });
      alice = await h.newUser('alice');
      bob = await h.newUser('bob');
      await h.newDevice(alice.token, 'cam-1');
    });
    after(() => h.stop());

    it('documents the file and log endpoints in the OpenAPI document', async () => {
      const res = await h.call('GET', '/openapi.json');
      assert.strictEqual(res.status, 200);
      const paths = Object.keys(res.body.paths).filter((p) => p.startsWith('/api/v1/') && /\/(images|files|logs)/.test(p)).sort();
      assert.deepStrictEqual(paths, [
        '/api/v1/devices/{id}/files',
        '/api/v1/devices/{id}/files/{fileId}',
        '/api/v1/devices/{id}/images',
        '/api/v1/devices/{id}/images/{fileId}',
        '/api/v1/devices/{id}/logs',
      ]);
      assert.deepStrictEqual(Object.keys(res.body.paths['/api/v1/devices/{id}/images'].post.requestBody.content), ['multipart/form-data']);
    });

    it('reports the blob store in the detailed health check', async () => {
      const res = await h.call('GET', '/health?detailed=true');
      assert.deepStrictEqual([res.status, res.body.checks.files], [200, { ok: true, driver: blob }]);
    });

    it('uploads an image, lists it and downloads the same bytes with the sniffed type', async () => {
      const up = await h.upload('/api/v1/devices/cam-1/images', alice.token, 'front door.png', PNG, 'application/x-anything');
      assert.strictEqual(up.status, 201);
      assert.match(up.body.id, FILE_ID);
      assert.ok(ISO_NOW(up.body.uploaded_at), up.body.uploaded_at);
      const view = {
        id: up.body.id,
        device_id: 'cam-1',
        kind: 'image',
        original_name: 'front door.png',
        content_type: 'image/png',
        size: PNG.length,
        sha256: sha256(PNG),
        uploaded_by: alice.id,
        uploaded_at: up.body.uploaded_at,
        url: `/api/v1/devices/cam-1/images/${up.body.id}`,
      };
      assert.deepStrictEqual(up.body, view);

      const list = await h.call('GET', '/api/v1/devices/cam-1/images', { token: alice.token });
      assert.deepStrictEqual(list.body, { device_id: 'cam-1', files: [view], total: 1, limit: 50, offset: 0 });
      assert.deepStrictEqual((await h.call('GET', '/api/v1/devices/cam-1/files', { token: alice.token })).body.files, []);

      const down = await h.call('GET', view.url, { token: alice.token });
      assert.strictEqual(down.status, 200);
      assert.deepStrictEqual(down.bytes, PNG);
      assert.strictEqual(down.headers.get('content-type'), 'image/png');
      assert.strictEqual(down.headers.get('content-length'), String(PNG.length));
      assert.strictEqual(down.headers.get('content-disposition'), `inline; filename="front door.png"; filename*=UTF-8''front%20door.png`);
      assert.strictEqual(down.headers.get('x-content-type-options'), 'nosniff');
      assert.strictEqual(down.headers.get('etag'), `"${sha256(PNG)}"`);
      assert.deepStrictEqual(await h.blobKeys('devices/cam-1/'), [`devices/cam-1/${view.id}`]);
    });

    it('takes a PNG renamed .txt as an image/png, and refuses it as a log file', async () => {
      const asImage = await h.upload('/api/v1/devices/cam-1/images', alice.token, 'notes.txt', PNG, 'text/plain');
      assert.strictEqual(asImage.status, 201);
      assert.deepStrictEqual([asImage.body.content_type, asImage.body.original_name], ['image/png', 'notes.txt']);
      const down = await h.call('GET', asImage.body.url, { token: alice.token });
      assert.strictEqual(down.headers.get('content-type'), 'image/png');

      const asLog = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'notes.txt', PNG, 'text/plain');
      assert.strictEqual(asLog.status, 415);
      assert.deepStrictEqual(asLog.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.deepStrictEqual(asLog.body.error.details, { field: 'file', detected: 'image/png', allowed: ['text/plain', 'application/gzip'] });
    });

    it('refuses a text file named .png (sent as image/png) as an image, and takes it as a log file', async () => {
      const text = Buffer.from('2026-01-01 boot ok\n2026-01-01 wifi up\n');
      const asImage = await h.upload('/api/v1/devices/cam-1/images', alice.token, 'snapshot.png', text, 'image/png');
      assert.strictEqual(asImage.status, 415);
      assert.deepStrictEqual(asImage.body.error, {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'file: the content is text/plain; images must be image/png, image/jpeg, image/gif, image/webp',
        details: { field: 'file', detected: 'text/plain', allowed: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] },
      });
      const asLog = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'snapshot.png', text, 'image/png');
      assert.strictEqual(asLog.status, 201);
      assert.strictEqual(asLog.body.content_type, 'text/plain');
      const down = await h.call('GET', asLog.body.url, { token: alice.token });
      assert.deepStrictEqual(down.bytes, text);
      assert.strictEqual(down.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.strictEqual(down.headers.get('content-disposition'), `attachment; filename="snapshot.png"; filename*=UTF-8''snapshot.png`);
    });

    it('takes gzip-compressed logs, and refuses bytes of no recognised type', async () => {
      const gz = gzipSync(Buffer.from('line 1\nline 2\n'));
      const ok = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'syslog.1.gz', gz);
      assert.deepStrictEqual([ok.status, ok.body.content_type, ok.body.size], [201, 'application/gzip', gz.length]);
      const binary = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10]);
      const bad = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'dump.log', binary);
      assert.strictEqual(bad.status, 415);
      assert.deepStrictEqual(bad.body.error.details, { field: 'file', detected: null, allowed: ['text/plain', 'application/gzip'] });
    });

    it('sanitises hostile names: no path, no NUL or control characters, no bidi override', async () => {
      const cases: Array<[string, string]> = [
        ['../../etc/passwd', 'passwd'],
        ['..\\..\\windows\\system32\\boot.log', 'boot.log'],
        ['a\u0000b\u0007c.log', 'abc.log'],
        ['invoice\u202Egol.exe', 'invoicegol.exe'],
        ['\u2067evil\u2069.log', 'evil.log'],
        ['../..', 'log'],
        ['.hidden.log', 'hidden.log'],
        ['Küche "Zähler".log', 'Küche %22Zähler%22.log'],
      ];
      for (const [sent, stored] of cases) {
        const up = await h.upload('/api/v1/devices/cam-1/files', alice.token, sent, Buffer.from('ok\n'));
        assert.strictEqual(up.status, 201, JSON.stringify(sent));
        assert.strictEqual(up.body.original_name, stored, JSON.stringify(sent));
        assert.deepStrictEqual(
          (await h.blobKeys('devices/cam-1/')).filter((k) => k.endsWith(up.body.id)),
          [`devices/cam-1/${up.body.id}`],
        );
      }
      const last = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'Küche "Zähler".log', Buffer.from('ok\n'));
      const down = await h.call('GET', last.body.url, { token: alice.token });
      assert.strictEqual(
        down.headers.get('content-disposition'),
        `attachment; filename="K_che _22Z_hler_22.log"; filename*=UTF-8''K%C3%BCche%20%2522Z%C3%A4hler%2522.log`,
      );
      if (blob === 'local') assert.strictEqual(existsSync(path.join(h.dataDir, 'files', 'etc')), false);
    });

    it('answers 413 beyond FILE_MAX_BYTES and stores nothing; exactly the limit is fine', async () => {
      await h.newDevice(alice.token, 'big-1');
      const over = await h.upload('/api/v1/devices/big-1/files', alice.token, 'big.log', Buffer.alloc(LIMIT + 1, 0x61));
      assert.strictEqual(over.status, 413);
      assert.deepStrictEqual(over.body.error, {
        code: 'PAYLOAD_TOO_LARGE',
        message: `file: larger than the limit of ${LIMIT} bytes`,
        details: { limit_bytes: LIMIT },
      });
      const bigPng = Buffer.concat([PNG, Buffer.alloc(LIMIT * 3)]);
      assert.strictEqual((await h.upload('/api/v1/devices/big-1/images', alice.token, 'big.png', bigPng)).status, 413);
      assert.deepStrictEqual((await h.call('GET', '/api/v1/devices/big-1/files', { token: alice.token })).body.total, 0);
      assert.deepStrictEqual(await h.blobKeys('devices/big-1/'), []);
      const exact = await h.upload('/api/v1/devices/big-1/files', alice.token, 'exact.log', Buffer.alloc(LIMIT, 0x61));
      assert.deepStrictEqual([exact.status, exact.body.size], [201, LIMIT]);
    });

    it('names what is wrong with a request that carries no usable file', async () => {
      const json = await h.call('POST', '/api/v1/devices/cam-1/images', { token: alice.token, json: { file: 'x' } });
      assert.deepStrictEqual([json.status, json.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
      const { multipartBody } = await import('./files-helpers.ts');
      const wrongField = multipartBody('picture', 'a.png', PNG);
      const wrong = await h.call('POST', '/api/v1/devices/cam-1/images', {
        token: alice.token,
        body: wrongField.body,
        headers: { 'content-type': wrongField.contentType },
      });
      assert.deepStrictEqual([wrong.status, wrong.body.error.code, wrong.body.error.message], [
        400,
        'VALIDATION_FAILED',
        'file: send the file in the multipart field "file"',
      ]);
      const empty = await h.upload('/api/v1/devices/cam-1/files', alice.token, 'empty.log', Buffer.alloc(0));
      assert.deepStrictEqual([empty.status, empty.body.error.message], [400, 'file: is empty']);
    });

    it('applies the device access rules: others see nothing, admins see all, no token is 401', async () => {
      const up = await h.upload('/api/v1/devices/cam-1/images', alice.token, 'private.png', PNG);
      for (const [method, url] of [
        ['GET', '/api/v1/devices/cam-1/images'],
        ['GET', up.body.url],
        ['DELETE', up.body.url],
      ] as const) {
        const res = await h.call(method, url, { token: bob.token });
        assert.deepStrictEqual([res.status, res.body.error.code], [404, 'DEVICE_NOT_FOUND'], `${method} ${url}`);
        const anon = await h.call(method, url);
        assert.deepStrictEqual([anon.status, anon.body.error.code], [401, 'UNAUTHENTICATED'], `${method} ${url}`);
      }
      const bobUpload = await h.upload('/api/v1/devices/cam-1/images', bob.token, 'mine.png', PNG);
      assert.deepStrictEqual([bobUpload.status, bobUpload.body.error.code], [404, 'DEVICE_NOT_FOUND']);
      const admin = await h.login('admin', 'admin-files-password-1');
      const asAdmin = await h.call('GET', up.body.url, { token: admin });
      assert.deepStrictEqual([asAdmin.status, asAdmin.bytes], [200, PNG]);
    });

    it('deletes one file with its blob; the id is then unknown, also under the other collection', async () => {
      await h.newDevice(alice.token, 'del-1');
      const img = await h.upload('/api/v1/devices/del-1/images', alice.token, 'a.png', PNG);
      const log = await h.upload('/api/v1/devices/del-1/files', alice.token, 'a.log', Buffer.from('x\n'));
      const crossed = await h.call('GET', `/api/v1/devices/del-1/files/${img.body.id}`, { token: alice.token });
      assert.deepStrictEqual([crossed.status, crossed.body.error.code], [404, 'FILE_NOT_FOUND']);
      assert.strictEqual((await h.call('DELETE', img.body.url, { token: alice.token })).status, 204);
      const gone = await h.call('GET', img.body.url, { token: alice.token });
      assert.deepStrictEqual([gone.status, gone.body.error.code], [404, 'FILE_NOT_FOUND']);
      assert.strictEqual((await h.call('DELETE', img.body.url, { token: alice.token })).status, 404);
      assert.deepStrictEqual(await h.blobKeys('devices/del-1/'), [`devices/del-1/${log.body.id}`]);
      const badId = await h.call('GET', '/api/v1/devices/del-1/images/..%2F..%2Fetc', { token: alice.token });
      assert.deepStrictEqual([badId.status, badId.body.error.code], [400, 'VALIDATION_FAILED']);
    });

    it('deletes a device only with ?confirm=true, and then its files with their blobs, logs and telemetry', async () => {
      const device = await h.newDevice(alice.token, 'doomed');
      await h.newDevice(alice.token, 'neighbour');
      await h.upload('/api/v1/devices/doomed/images', alice.token, 'a.png', PNG);
      await h.upload('/api/v1/devices/doomed/files', alice.token, 'a.log', Buffer.from('log\n'));
      const kept = await h.upload('/api/v1/devices/neighbour/images', alice.token, 'n.png', PNG);
      const logs = await h.call('POST', '/api/v1/devices/doomed/logs', { apiKey: device.api_key, json: { level: 'info', message: 'hi' } });
      assert.strictEqual(logs.status, 201);
      const tele = await h.call('POST', '/api/v1/telemetry', { apiKey: device.api_key, json: { temperature: 21.5 } });
      assert.strictEqual(tele.status, 201);
      assert.strictEqual((await h.blobKeys('devices/doomed/')).length, 2);

      for (const query of ['', '?confirm=false', '?confirm=yes']) {
        const refused = await h.call('DELETE', `/api/v1/devices/doomed${query}`, { token: alice.token });
        assert.deepStrictEqual([refused.status, refused.body.error.code, refused.body.error.details], [409, 'CONFIRMATION_REQUIRED', { parameter: 'confirm' }]);
      }
      assert.strictEqual((await h.blobKeys('devices/doomed/')).length, 2);
      const notOwner = await h.call('DELETE', '/api/v1/devices/doomed?confirm=true', { token: bob.token });
      assert.deepStrictEqual([notOwner.status, notOwner.body.error.code], [404, 'DEVICE_NOT_FOUND']);

      assert.strictEqual((await h.call('DELETE', '/api/v1/devices/doomed?confirm=true', { token: alice.token })).status, 204);
      assert.strictEqual((await h.call('GET', '/api/v1/devices/doomed', { token: alice.token })).status, 404);
      assert.deepStrictEqual(await h.blobKeys('devices/doomed/'), []);
      if (blob === 'local') assert.strictEqual(existsSync(path.join(h.dataDir, 'files', 'devices', 'doomed')), false);
      assert.deepStrictEqual(await h.blobKeys('devices/neighbour/'), [`devices/neighbour/${kept.body.id}`]);

      // A new device under the same id starts empty: nothing of the old one is left to find.
      await h.newDevice(alice.token, 'doomed');
      const q = `start_time=-1h&end_time=${Date.now() + 60_000}`;
      assert.strictEqual((await h.call('GET', '/api/v1/devices/doomed/images', { token: alice.token })).body.total, 0);
      assert.strictEqual((await h.call('GET', '/api/v1/devices/doomed/files', { token: alice.token })).body.total, 0);
      assert.deepStrictEqual((await h.call('GET', `/api/v1/devices/doomed/logs?${q}`, { token: alice.token })).body.logs, []);
      assert.deepStrictEqual((await h.call('GET', `/api/v1/telemetry/doomed?${q}`, { token: alice.token })).body.points, []);
    });

    // Only the S3 driver has a server to lose; the local driver's failure is the full-disk test.
    if (blob === 's3') it('answers 503 STORAGE_UNAVAILABLE and stores no metadata when the S3 server is down (runs last)', async () => {
      await h.newDevice(alice.token, 'offline-1');
      await h.s3?.stop();
      const up = await h.upload('/api/v1/devices/offline-1/images', alice.token, 'a.png', PNG);
      assert.deepStrictEqual([up.status, up.body.error.code, up.headers.get('retry-after')], [503, 'STORAGE_UNAVAILABLE', '1']);
      assert.strictEqual((await h.call('GET', '/api/v1/devices/offline-1/images', { token: alice.token })).body.total, 0);
      const health = await h.call('GET', '/health?detailed=true');
      assert.deepStrictEqual([health.status, health.body.checks.files.ok], [503, false]);
    });
  });
}
