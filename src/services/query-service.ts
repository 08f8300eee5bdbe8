// Reading telemetry: history pages with keyset cursors, latest values, aggregates served from
// rollups, range deletion and streaming export.
import { FluxgateError } from '../contract/errors.ts';
import {
  type Acc,
  type Aggregation,
  accOf,
  bucketIndex,
  finishAcc,
  granularitiesFor,
  mergeAcc,
  planCoverage,
  rollupValue,
} from '../domain/rollup.ts';
import { type Point, isValidFieldName } from '../domain/telemetry.ts';
import { type Window, bucketEdges } from '../domain/time.ts';
import type { Storage, StorageStats } from '../storage/storage.ts';

export interface HistoryQuery {
  deviceId: string;
  start: number;
  end: number;
  fields?: string[] | undefined;
  limit: number;
  order: 'asc' | 'desc';
  cursor?: string | undefined;
}

export interface AggregateQuery {
  deviceId: string;
  field: string;
  aggregation: Aggregation;
  window: Window;
  tz: string;
  start: number;
  end: number;
}

export interface AggregateBucket {
  start: number;
  end: number;
  value: number | null;
  count: number;
}

export function encodeCursor(p: Pick<Point, 'ts' | 'field'>): string {
  return Buffer.from(JSON.stringify([p.ts, p.field])).toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; field: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && isValidFieldName(v[1])) {
      return { ts: v[0] as number, field: v[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new FluxgateError('INVALID_CURSOR');
}

export class QueryService {
  constructor(private readonly storage: Storage) {}

  get storageKind(): string {
    return this.storage.kind;
  }

  stats(): Promise<StorageStats> {
    return this.storage.stats();
  }

  async history(q: HistoryQuery): Promise<{ points: Point[]; nextCursor: string | null }> {
    const points = await this.storage.queryPoints({
      deviceId: q.deviceId,
      start: q.start,
      end: q.end,
      fields: q.fields,
      order: q.order,
      limit: q.limit + 1,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    const more = points.length > q.limit;
    const page = more ? points.slice(0, q.limit) : points;
    return { points: page, nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
  }

  /** Every point of the range, page by page, for exports that never hold the whole range in memory. */
  async *stream(q: Omit<HistoryQuery, 'limit' | 'cursor'>, pageSize = 5000): AsyncGenerator<Point> {
    let cursor: string | undefined;
    do {
      const page = await this.history({ ...q, limit: pageSize, cursor });
      yield* page.points;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  latest(deviceId: string): Promise<Point[]> {
    return this.storage.latestPoints(deviceId);
  }

  /** Per bucket of the window, the accumulator of the field's values (undefined: no data). */
  async accumulate(q: Omit<AggregateQuery, 'aggregation'>): Promise<{ edges: number[]; accs: Array<Acc | undefined>; source: string }> {
    const edges = bucketEdges(q.start, q.end, q.window, q.tz);
    const accs: Array<Acc | undefined> = new Array(edges.length - 1);
    const fold = (i: number, acc: Acc) => {
      if (i < 0) return;
      const existing = accs[i];
      accs[i] = existing ? mergeAcc(existing, acc) : { ...acc };
    };
    const segments = planCoverage(q.start, q.end, granularitiesFor(edges));
    // Every segment is read at once (PostgreSQL answers them on several connections), then folded in order.
    const reads = await Promise.all(
      segments.map((seg) =>
        seg.source === 'raw'
          ? this.storage.queryPoints({ deviceId: q.deviceId, fields: [q.field], start: seg.start, end: seg.end, order: 'asc', limit: 1_000_000 })
          : this.storage.readRollups({ deviceId: q.deviceId, field: q.field, granularity: seg.source, start: seg.start, end: seg.end }),
      ),
    );
    for (const read of reads) {
      for (const item of read) {
        if ('bucket' in item) {
          fold(bucketIndex(edges, item.bucket), item);
          continue;
        }
        const v = rollupValue(item);
        if (v !== null) fold(bucketIndex(edges, item.ts), accOf(item.ts, v));
      }
    }
    const used = [...new Set(segments.map((s) => (s.source === 'raw' ? 'raw' : `rollup_${s.source}`)))];
    return { edges, accs, source: used.join('+') || 'none' };
  }

  async aggregate(q: AggregateQuery): Promise<{ buckets: AggregateBucket[]; source: string }> {
    const { edges, accs, source } = await this.accumulate(q);
    const buckets: AggregateBucket[] = [];
    for (let i = 0; i < edges.length - 1; i++) {
      buckets.push({ start: edges[i]!, end: edges[i + 1]!, value: finishAcc(accs[i], q.aggregation), count: accs[i]?.count ?? 0 });
    }
    return { buckets, source };
  }

  deleteRange(deviceId: string, start: number, end: number): Promise<number> {
    return this.storage.deletePoints(deviceId, start, end);
  }
}
