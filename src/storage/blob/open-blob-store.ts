import path from 'node:path';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';

export interface BlobSettings {
  DATA_DIR: string;
  BLOB_DRIVER: 'local' | 's3';
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
}

/**
 * The driver BLOB_DRIVER names: files under DATA_DIR/files (default), or an S3-compatible bucket.
 * The S3 driver is loaded only when chosen: the AWS SDK takes about a second to import.
 */
export async function openBlobStore(settings: BlobSettings): Promise<BlobStore> {
  if (settings.BLOB_DRIVER === 'local') return new LocalBlobStore(path.join(settings.DATA_DIR, 'files'));
  if (!settings.S3_BUCKET) throw new Error('S3_BUCKET: required when BLOB_DRIVER=s3');
  const { S3BlobStore } = await import('./s3-blob-store.ts');
  return new S3BlobStore({
    endpoint: settings.S3_ENDPOINT,
    bucket: settings.S3_BUCKET,
    region: settings.S3_REGION,
    accessKeyId: settings.S3_ACCESS_KEY_ID,
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
  });
}
