// Byte-level reading and writing for the chunk codec: a growable writer and a bounds-checked reader
// with LEB128 varints. Signed varints are zigzag (0, -1, 1, -2, … → 0, 1, 2, 3, …) over every safe
// integer: the zigzag value of a large negative number (up to 2^54) is not exact as a double, so its
// first byte (sign bit and 6 magnitude bits) is written apart from the rest of the magnitude; the bytes
// are those of the usual zigzag varint.

const TWO_POW_31 = 0x80000000;
/** 8 varint bytes carry 56 bits, enough for any safe integer; more bytes mean a corrupt chunk. */
const MAX_VARINT_BYTES = 8;
const RETAINED_BYTES = 1 << 20;

/** A stored chunk that cannot be decoded: damaged bytes, or a format this version does not know. */
export class ChunkFormatError extends Error {
  constructor(message: string) {
    super(`chunk cannot be decoded: ${message}`);
    this.name = 'ChunkFormatError';
  }
}

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** 0 <= n <= 2^53. */
  uvarint(n: number): void {
    this.ensure(MAX_VARINT_BYTES);
    const buf = this.buf;
    let pos = this.pos;
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80; // & takes n mod 2^32 exactly, so the low 7 bits are right
      n = n >= TWO_POW_31 ? Math.floor(n / 128) : n >>> 7;
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  /** Any safe integer, zigzag encoded. */
  svarint(n: number): void {
    const sign = n < 0 ? 1 : 0;
    const magnitude = sign ? -n - 1 : n;
    if (magnitude < 0x40000000) {
      this.uvarint(magnitude * 2 + sign);
      return;
    }
    this.byte(((magnitude & 0x3f) << 1) | sign | 0x80);
    this.uvarint(Math.floor(magnitude / 64));
  }

  /** The written bytes (a view, valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the writer; one grown past RETAINED_BYTES by a huge chunk lets the memory go. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > RETAINED_BYTES) this.buf = new Uint8Array(RETAINED_BYTES);
  }
}

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  byte(): number {
    if (this.pos >= this.end) throw new ChunkFormatError('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new ChunkFormatError('unexpected end of data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (pos >= this.end) throw new ChunkFormatError('unexpected end of data');
      const b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        this.pos = pos;
        return result;
      }
      scale *= 128;
    }
    throw new ChunkFormatError('varint out of range');
  }

  svarint(): number {
    const first = this.byte();
    const sign = first & 1;
    let magnitude = (first >> 1) & 0x3f;
    if (first & 0x80) {
      magnitude += this.uvarint() * 64;
      if (magnitude > Number.MAX_SAFE_INTEGER) throw new ChunkFormatError('varint out of range');
    }
    return sign ? -magnitude - 1 : magnitude;
  }

  /** A count that must not exceed `max` (guards allocations against damaged data). */
  count(max: number, what: string): number {
    const n = this.uvarint();
    if (n > max) throw new ChunkFormatError(`${what} ${n} exceeds ${max}`);
    return n;
  }
}
