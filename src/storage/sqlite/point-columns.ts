// Points as columns for the trip to the writer thread. postMessage clones an array of objects member
// by member, names included; typed arrays copy as one block, and device ids, fields and metadata
// repeat, so each is sent once in a dictionary. Values: numbers in a Float64Array, booleans as
// their kind, strings in order of appearance.
import type { Point } from '../../domain/telemetry.ts';

const KIND = { number: 0, true: 1, false: 2, string: 3 } as const;

export interface PointColumns {
  ts: Float64Array;
  num: Float64Array;
  kind: Uint8Array;
  /** Indexes into `names`. */
  device: Uint32Array;
  field: Uint32Array;
  /** Index into `metas`, or -1 for none. */
  meta: Int32Array;
  names: string[];
  metas: string[];
  /** The string values, in the order of the points that have them. */
  strings: string[];
}

function dictionary<T>(): { index: (value: T) => number; values: T[] } {
  const seen = new Map<T, number>();
  const values: T[] = [];
  return {
    values,
    index(value: T) {
      let i = seen.get(value);
      if (i === undefined) {
        seen.set(value, (i = values.length));
        values.push(value);
      }
      return i;
    },
  };
}

export function toColumns(points: readonly Point[]): PointColumns {
  const n = points.length;
  const names = dictionary<string>();
  const metas = dictionary<string>();
  const c: PointColumns = {
    ts: new Float64Array(n),
    num: new Float64Array(n),
    kind: new Uint8Array(n),
    device: new Uint32Array(n),
    field: new Uint32Array(n),
    meta: new Int32Array(n),
    names: names.values,
    metas: metas.values,
    strings: [],
  };
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    c.ts[i] = p.ts;
    c.device[i] = names.index(p.deviceId);
    c.field[i] = names.index(p.field);
    c.meta[i] = p.meta === null ? -1 : metas.index(p.meta);
    const v = p.value;
    if (typeof v === 'number') c.num[i] = v;
    else if (typeof v === 'boolean') c.kind[i] = v ? KIND.true : KIND.false;
    else {
      c.kind[i] = KIND.string;
      c.strings.push(v);
    }
  }
  return c;
}

export function fromColumns(c: PointColumns): Point[] {
  const points = new Array<Point>(c.ts.length);
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const kind = c.kind[i]!;
    const value = kind === KIND.number ? c.num[i]! : kind === KIND.string ? c.strings[s++]! : kind === KIND.true;
    const m = c.meta[i]!;
    points[i] = { deviceId: c.names[c.device[i]!]!, ts: c.ts[i]!, field: c.names[c.field[i]!]!, value, meta: m < 0 ? null : c.metas[m]! };
  }
  return points;
}
