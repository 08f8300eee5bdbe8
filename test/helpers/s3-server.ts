// A real S3-protocol server for tests: s3rver (its own CLI, in a child process) on a random
// loopback port, its data in a fresh temporary folder, with one bucket made for the caller.
// It runs with --openssl-legacy-provider: s3rver makes ListObjects continuation tokens with DES,
// which Node 17+ (OpenSSL 3) refuses otherwise, so listing past 1000 keys would fail with a 500.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const S3RVER_CLI = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** s3rver's fixed credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  /** The settings a platform needs to use this server (BLOB_DRIVER=s3 …). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onExit = (code: number | null) => reject(new Error(`s3rver exited (${code}) before listening: ${err || out}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /S3rver listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        child.off('exit', onExit);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', onExit);
  });
}

export async function startS3(bucket = 'fluxgate-test'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-s3rver-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', S3RVER_CLI, '-d', directory, '-a', '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', bucket],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let port: number;
  try {
    port = await waitForPort(child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    env: {
      BLOB_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
