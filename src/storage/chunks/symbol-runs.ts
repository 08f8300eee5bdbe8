// Run-length columns: a run of small integer symbols as (symbol, length) pairs, and text columns
// (string values, message metadata) as a dictionary of their distinct texts plus runs of indices,
// where index 0 stands for null. Texts are UTF-8, or UTF-16 for the rare text with a lone surrogate,
// which UTF-8 cannot carry unchanged.
import { type ByteReader, type ByteWriter, ChunkFormatError } from './chunk-bytes.ts';

const LONE_SURROGATE = /\p{Surrogate}/u;
// ignoreBOM: otherwise a text that starts with U+FEFF would come back without it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function writeRuns(w: ByteWriter, symbols: ArrayLike<number>): void {
  const n = symbols.length;
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || symbols[i] !== symbols[i - 1]) runs++;
  w.uvarint(runs);
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && symbols[i] === symbols[start]) continue;
    w.uvarint(symbols[start]!);
    w.uvarint(i - start);
    start = i;
  }
}

/** Exactly `n` symbols, each below `symbolLimit`. */
export function readRuns(r: ByteReader, n: number, symbolLimit: number): Uint32Array {
  const out = new Uint32Array(n);
  const runs = r.count(n, 'run count');
  let i = 0;
  for (let k = 0; k < runs; k++) {
    const symbol = r.uvarint();
    const length = r.uvarint();
    if (symbol >= symbolLimit) throw new ChunkFormatError(`symbol ${symbol} out of range`);
    if (length > n - i) throw new ChunkFormatError('runs exceed the point count');
    out.fill(symbol, i, i + length);
    i += length;
  }
  if (i !== n) throw new ChunkFormatError('runs do not cover the point count');
  return out;
}

function writeText(w: ByteWriter, text: string): void {
  const wide = LONE_SURROGATE.test(text);
  const bytes = Buffer.from(text, wide ? 'utf16le' : 'utf8');
  w.uvarint(bytes.length * 2 + (wide ? 1 : 0));
  w.bytes(bytes);
}

function readText(r: ByteReader): string {
  const header = r.uvarint();
  const bytes = r.bytes(Math.floor(header / 2));
  if (header % 2 === 0) return utf8.decode(bytes);
  if (bytes.length % 2 !== 0) throw new ChunkFormatError('odd UTF-16 length');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf16le');
}

export function writeTexts(w: ByteWriter, texts: ReadonlyArray<string | null>): void {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const symbols = new Uint32Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text === null || text === undefined) continue;
    let symbol = index.get(text);
    if (symbol === undefined) {
      dictionary.push(text);
      symbol = dictionary.length;
      index.set(text, symbol);
    }
    symbols[i] = symbol;
  }
  w.uvarint(dictionary.length);
  for (const text of dictionary) writeText(w, text);
  writeRuns(w, symbols);
}

export function readTexts(r: ByteReader, n: number): Array<string | null> {
  // Every dictionary entry costs at least one byte, which bounds the allocation.
  const size = r.count(r.end - r.pos, 'dictionary size');
  const dictionary: Array<string | null> = [null];
  for (let k = 0; k < size; k++) dictionary.push(readText(r));
  const symbols = readRuns(r, n, dictionary.length);
  const out = new Array<string | null>(n);
  for (let i = 0; i < n; i++) out[i] = dictionary[symbols[i]!]!;
  return out;
}
