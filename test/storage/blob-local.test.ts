// The blob-store contract against the local-filesystem driver, in a fresh temporary folder.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalBlobStore } from '../../src/storage/blob/local-blob-store.ts';
import { openBlobStore } from '../../src/storage/blob/open-blob-store.ts';
import { blobStoreContract } from './blob-store-contract.ts';

blobStoreContract('local', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-blobs-'));
  return { store: new LocalBlobStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('local blob driver', () => {
  it('keeps each blob as one file under its root and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-blobs-'));
    try {
      const store = new LocalBlobStore(dir);
      await store.put('devices/d/f1', Buffer.from('hello'));
      assert.deepStrictEqual(readdirSync(path.join(dir, 'devices', 'd')), ['f1']);
      await store.deletePrefix('devices/d/');
      assert.strictEqual(existsSync(path.join(dir, 'devices', 'd')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the default driver, rooted at DATA_DIR/files', async () => {
    const store = await openBlobStore({ DATA_DIR: '/srv/fluxgate', BLOB_DRIVER: 'local', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: false });
    assert.ok(store instanceof LocalBlobStore);
    assert.strictEqual(store.root, '/srv/fluxgate/files');
  });
});
