// The JSON text of a history page, written directly: the same text JSON.stringify gives for
// {device_id, count, points: pointToView(p)…, next_cursor}, without building an object per point
// first. A day of 10-second readings of three fields is 25,920 points; building and serializing their
// views was most of the answer's time and garbage.
import type { FastifyReply } from 'fastify';
import type { Point } from '../../domain/telemetry.ts';
import { isoFormatter } from './iso-time.ts';

const time = isoFormatter();

function valueJson(v: Point['value']): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** One point as pointToView would serialize. Stored metadata is already JSON text of an object (JSON.stringify'd on ingest). */
function pointJson(p: Point, outOfRange: boolean): string {
  let out = `{"timestamp":"${time(p.ts)}","ts":${p.ts},"field":${JSON.stringify(p.field)},"value":${valueJson(p.value)}`;
  if (p.meta) out += `,"metadata":${p.meta}`;
  if (outOfRange) out += ',"out_of_range":true';
  return `${out}}`;
}

export function historyJson(deviceId: string, points: readonly Point[], nextCursor: string | null, outOfRange?: (field: string, value: unknown) => boolean): string {
  const parts = new Array<string>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    parts[i] = pointJson(p, outOfRange?.(p.field, p.value) === true);
  }
  return `{"device_id":${JSON.stringify(deviceId)},"count":${points.length},"points":[${parts.join(',')}],"next_cursor":${JSON.stringify(nextCursor)}}`;
}

/** Sends JSON text as it is (a route's serializer would quote a string). */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').serializer((payload: unknown) => payload as string).send(text);
}
