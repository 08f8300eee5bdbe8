// Local-filesystem blob driver: one file per key under a root folder (DATA_DIR/files by default).
// A put writes a temporary file, fsyncs it and renames it into place, so a reader never sees half
// a blob and a resolved put survives a crash.
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type BlobStore, checkBlobKey } from './blob-store.ts';

export class LocalBlobStore implements BlobStore {
  readonly driver = 'local' as const;
  private tmpCounter = 0;

  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    const full = path.resolve(this.root, ...key.split('/').filter(Boolean));
    // checkBlobKey already forbids "..": this is the second lock on the same door.
    if (full !== path.resolve(this.root) && !full.startsWith(path.resolve(this.root) + path.sep)) {
      throw new Error(`blob key "${key}" leaves the store root`);
    }
    return full;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.pathOf(checkBlobKey(key));
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${++this.tmpCounter}`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await this.syncDir(path.dirname(file));
  }

  private async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async get(key: string): Promise<Readable | undefined> {
    const file = this.pathOf(checkBlobKey(key));
    // Opening first turns a missing file into `undefined` instead of a stream that errors later.
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') return undefined;
      throw err;
    });
    if (!handle) return undefined;
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(checkBlobKey(key)), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    checkBlobKey(prefix, { prefix: true });
    const dir = this.pathOf(prefix);
    const out: string[] = [];
    const walk = async (folder: string, keyPrefix: string): Promise<void> => {
      const entries = await readdir(folder, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const e of entries) {
        if (e.isDirectory()) await walk(path.join(folder, e.name), `${keyPrefix}${e.name}/`);
        else if (e.isFile() && !e.name.includes('.tmp-')) out.push(`${keyPrefix}${e.name}`);
      }
    };
    await walk(dir, prefix);
    return out.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    await rm(this.pathOf(prefix), { recursive: true, force: true });
    return keys.length;
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  async close(): Promise<void> {}
}
