// The blob-store contract against the S3 driver, talking to a real S3-protocol server (s3rver) on a
// random port with its own bucket.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
