// The one contract every BlobStore driver passes: blob-local.test.ts and blob-s3.test.ts run it.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { BlobStore } from '../../src/storage/blob/blob-store.ts';

export interface BlobFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function blobStoreContract(name: string, open: () => Promise<BlobFixture>): void {
  describe(`blob store contract: ${name}`, () => {
    let fixture: BlobFixture;
    before(async () => {
      fixture = await open();
    });
    after(() => fixture.cleanup());
    const store = () => fixture.store;

    it('answers ping', async () => {
      await store().ping();
    });

    it('stores bytes and reads back exactly the same bytes, binary and empty alike', async () => {
      const bytes = randomBytes(300_000);
      await store().put('devices/d1/file-a', bytes, 'application/octet-stream');
      const back = await readAll(await store().get('devices/d1/file-a'));
      assert.strictEqual(back?.length, bytes.length);
      assert.strictEqual(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(bytes).digest('hex'));
      await store().put('devices/d1/empty', Buffer.alloc(0), 'text/plain');
      assert.deepStrictEqual(await readAll(await store().get('devices/d1/empty')), Buffer.alloc(0));
    });

    it('replaces a blob put again under the same key', async () => {
      await store().put('devices/d2/x', Buffer.from('first'), 'text/plain');
      await store().put('devices/d2/x', Buffer.from('second'), 'text/plain');
      assert.strictEqual((await readAll(await store().get('devices/d2/x')))?.toString(), 'second');
    });

    it('gives undefined for a missing blob and deletes idempotently', async () => {
      assert.strictEqual(await store().get('devices/none/missing'), undefined);
      await store().put('devices/d3/gone', Buffer.from('bye'), 'text/plain');
      await store().delete('devices/d3/gone');
      assert.strictEqual(await store().get('devices/d3/gone'), undefined);
      await store().delete('devices/d3/gone');
    });

    it('lists and deletes by prefix without touching a neighbour whose name shares the prefix text', async () => {
      for (const key of ['devices/p1/a', 'devices/p1/b', 'devices/p1/sub/c', 'devices/p10/a']) {
        await store().put(key, Buffer.from(key), 'text/plain');
      }
      assert.deepStrictEqual(await store().list('devices/p1/'), ['devices/p1/a', 'devices/p1/b', 'devices/p1/sub/c']);
      assert.strictEqual(await store().deletePrefix('devices/p1/'), 3);
      assert.deepStrictEqual(await store().list('devices/p1/'), []);
      assert.deepStrictEqual(await store().list('devices/p10/'), ['devices/p10/a']);
      assert.strictEqual((await readAll(await store().get('devices/p10/a')))?.toString(), 'devices/p10/a');
      assert.strictEqual(await store().deletePrefix('devices/nothing-here/'), 0);
    });

    it('deletes more blobs under one prefix than fit in one S3 batch request', async () => {
      const keys = Array.from({ length: 1005 }, (_, i) => `devices/many/k${String(i).padStart(4, '0')}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(keys.slice(i, i + 50).map((k) => store().put(k, Buffer.from('x'), 'text/plain')));
      }
      assert.deepStrictEqual(await store().list('devices/many/'), keys);
      assert.strictEqual(await store().deletePrefix('devices/many/'), 1005);
      assert.deepStrictEqual(await store().list('devices/many/'), []);
    });

    it('refuses keys that could leave the store or hide in it', async () => {
      for (const key of ['../escape', 'devices/../../etc/passwd', '/abs', 'devices//x', 'devices/./x', 'a\u0000b', 'devices/x/', '']) {
        await assert.rejects(store().put(key, Buffer.from('x'), 'text/plain'), /not a valid blob key/, JSON.stringify(key));
        await assert.rejects(store().get(key), /not a valid blob key/, JSON.stringify(key));
      }
      await assert.rejects(store().deletePrefix('devices/p1'), /must end with "\/"/);
      await assert.rejects(store().deletePrefix('../'), /not a valid blob prefix/);
    });
  });
}
