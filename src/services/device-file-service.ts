// Device images and log files: upload (size limit, type sniffed from the bytes, sanitised name,
// SHA-256), list, download and delete, with the device's access rules. Bytes go to the blob store,
// metadata to the Storage port. A blob is written before its metadata, so a failed upload leaves at
// worst an unreferenced blob; it is removed before its metadata, so a failed delete leaves metadata
// that a download reports as FILE_NOT_FOUND and a retried delete removes.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FluxgateError } from '../contract/errors.ts';
import { type DeviceFile, type FileKind, deviceBlobPrefix, fileBlobKey, sanitiseFileName } from '../domain/device-file.ts';
import { generateId } from '../domain/ids.ts';
import type { BlobStore } from '../storage/blob/blob-store.ts';
import type { Storage } from '../storage/storage.ts';
import type { DeviceAccess } from './access.ts';
import type { Principal } from './auth-service.ts';
import { sniffContentType } from './content-sniffing.ts';

export interface FileRules {
  maxBytes: number;
  allowedTypes: Record<FileKind, readonly string[]>;
}

export interface Upload {
  /** As the client sent it; sanitised here. */
  fileName: string;
  bytes: Buffer;
}

const KIND_WORDS: Record<FileKind, string> = { image: 'images', log: 'log files' };

/** Blob-store failures become a 503 the client can retry, not a 500. */
async function blobCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FluxgateError) throw err;
    throw new FluxgateError('STORAGE_UNAVAILABLE', 'File storage cannot be reached; retry later', undefined, { cause: err });
  }
}

export class DeviceFileService {
  constructor(
    private readonly storage: Storage,
    private readonly blobs: BlobStore,
    private readonly access: DeviceAccess,
    readonly rules: FileRules,
  ) {}

  async upload(principal: Principal, deviceId: string, kind: FileKind, upload: Upload): Promise<DeviceFile> {
    await this.access.require(principal, deviceId, 'control');
    const { bytes } = upload;
    if (bytes.length > this.rules.maxBytes) {
      throw new FluxgateError('PAYLOAD_TOO_LARGE', `file: larger than the limit of ${this.rules.maxBytes} bytes`, { limit_bytes: this.rules.maxBytes });
    }
    if (bytes.length === 0) throw new FluxgateError('VALIDATION_FAILED', 'file: is empty', { field: 'file' });
    const contentType = await sniffContentType(bytes);
    const allowed = this.rules.allowedTypes[kind];
    if (!contentType || !allowed.includes(contentType)) {
      throw new FluxgateError(
        'UNSUPPORTED_MEDIA_TYPE',
        `file: the content is ${contentType ?? 'of no recognised type'}; ${KIND_WORDS[kind]} must be ${allowed.join(', ')}`,
        { field: 'file', detected: contentType ?? null, allowed },
      );
    }
    const id = generateId('file');
    const file: DeviceFile = {
      id,
      deviceId,
      kind,
      originalName: sanitiseFileName(upload.fileName, kind === 'image' ? 'image' : 'log'),
      contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      blobKey: fileBlobKey(deviceId, id),
      uploadedBy: principal.userId,
      uploadedAt: Date.now(),
    };
    await blobCall(() => this.blobs.put(file.blobKey, bytes, contentType));
    try {
      await this.storage.insertFile(file);
    } catch (err) {
      await this.blobs.delete(file.blobKey).catch(() => {});
      // The device was deleted while its file was being uploaded.
      if (!(await this.storage.getDevice(deviceId))) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${deviceId} not found`);
      throw err;
    }
    return file;
  }

  async list(principal: Principal, deviceId: string, kind: FileKind, page: { limit: number; offset: number }) {
    await this.access.require(principal, deviceId, 'read');
    return this.storage.listFiles({ deviceId, kind, ...page });
  }

  private async find(deviceId: string, kind: FileKind, fileId: string): Promise<DeviceFile> {
    const file = await this.storage.getFile(fileId);
    if (!file || file.deviceId !== deviceId || file.kind !== kind) {
      throw new FluxgateError('FILE_NOT_FOUND', `No ${kind === 'image' ? 'image' : 'log file'} ${fileId.slice(0, 64)} on device ${deviceId}`);
    }
    return file;
  }

  /** The file's metadata and its bytes as a stream. */
  async open(principal: Principal, deviceId: string, kind: FileKind, fileId: string): Promise<{ file: DeviceFile; content: Readable }> {
    await this.access.require(principal, deviceId, 'read');
    const file = await this.find(deviceId, kind, fileId);
    const content = await blobCall(() => this.blobs.get(file.blobKey));
    if (!content) throw new FluxgateError('FILE_NOT_FOUND', `The content of file ${fileId} is missing from file storage`);
    return { file, content };
  }

  async remove(principal: Principal, deviceId: string, kind: FileKind, fileId: string): Promise<void> {
    await this.access.require(principal, deviceId, 'control');
    const file = await this.find(deviceId, kind, fileId);
    await blobCall(() => this.blobs.delete(file.blobKey));
    await this.storage.deleteFile(file.id);
  }

  /** Removes every blob of a device (its metadata goes with Storage.deleteDevice). Returns how many. */
  purgeDevice(deviceId: string): Promise<number> {
    return blobCall(() => this.blobs.deletePrefix(deviceBlobPrefix(deviceId)));
  }
}
