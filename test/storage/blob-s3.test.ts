// The blob-store contract against the S3 driver, talking to a real S3-protocol server (s3rver) on a
// random port with its own bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBlobStore } from '../../src/storage/blob/open-blob-store.ts';
import { S3BlobStore } from '../../src/storage/blob/s3-blob-store.ts';
import { startS3 } from '../helpers/s3-server.ts';
import { blobStoreContract } from './blob-store-contract.ts';

blobStoreContract('s3', async () => {
  const s3 = await startS3();
  const store = new S3BlobStore({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: 'us-east-1',
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await s3.stop();
    },
  };
});

describe('s3 blob driver', () => {
  it('is what BLOB_DRIVER=s3 opens, with the S3_* settings', async () => {
    const s3 = await startS3();
    const store = await openBlobStore({
      DATA_DIR: '/unused',
      BLOB_DRIVER: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: true,
    });
    try {
      assert.ok(store instanceof S3BlobStore);
      assert.strictEqual(store.bucket, s3.bucket);
      await store.put('devices/x/y', Buffer.from('via config'), 'text/plain');
      assert.deepStrictEqual(await store.list('devices/x/'), ['devices/x/y']);
    } finally {
      await store.close();
      await s3.stop();
    }
  });

  it('fails ping, naming the problem, when the bucket does not exist', async () => {
    const s3 = await startS3();
    const store = new S3BlobStore({
      endpoint: s3.endpoint,
      bucket: 'no-such-bucket',
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
    });
    try {
      await assert.rejects(store.ping(), (err: Error) => err.name === 'NotFound');
    } finally {
      await store.close();
      await s3.stop();
    }
  });

});
