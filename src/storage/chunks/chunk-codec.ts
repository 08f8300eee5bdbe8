// PLACEHOLDER until the real codec lands: JSON + deflate, same interface.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PointValue } from '../../domain/telemetry.ts';

export interface ChunkColumns {
  ts: number[];
  values: PointValue[];
  meta: Array<string | null>;
}

export function encodeChunk(c: ChunkColumns): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(c)));
}

export function decodeChunk(b: Uint8Array): ChunkColumns {
  return JSON.parse(inflateRawSync(b).toString()) as ChunkColumns;
}

export function decodeChunkTimestamps(b: Uint8Array): number[] {
  return decodeChunk(b).ts;
}
