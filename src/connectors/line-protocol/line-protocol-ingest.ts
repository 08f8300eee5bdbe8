// Line protocol onto the ingest pipeline. Which device a line writes to (docs/line-protocol.md):
// its `device` tag when it has one; otherwise the device of the key that sent it, or, for a user's
// token, the measurement. Field keys become fields unchanged; the other tags become the point's
// metadata (a JSON object), never part of its field name. The whole request is one submission to
// the pipeline: every point is committed, or none (as InfluxDB 2 does), and the caller answers only
// after the commit.
import { FluxgateError, isFluxgateError } from '../../contract/errors.ts';
import { type NormalizeLimits, type Point, isValidFieldName } from '../../domain/telemetry.ts';
import { textProblem } from '../../domain/text.ts';
import type { IngestPipeline } from '../../ingest/ingest-pipeline.ts';
import { LineSyntaxError, type ParsedLine, parseLineProtocol } from './line-parser.ts';
import type { Precision } from '../../contract/http/line-protocol.ts';
import { fastLinePoints } from './line-fast-path.ts';
import { timestampToMs } from './precision.ts';

/** The tag that names the device a line writes to. */
export const DEVICE_TAG = 'device';

/** Who is writing. */
export interface LineWriter {
  /** A device key's device: lines without a `device` tag go there. Absent for a user's token. */
  keyDevice?: string;
  /** Throws a FluxgateError (403, 404, 429) when the writer may not write to `deviceId` now. */
  authorize(deviceId: string): Promise<void>;
}

export async function ingestLineProtocol(
  pipeline: Pick<IngestPipeline, 'ingestPoints' | 'limits'>,
  text: string,
  precision: Precision,
  writer: LineWriter,
  now = Date.now(),
): Promise<number> {
  const fast = writer.keyDevice === undefined ? undefined : fastLinePoints(text, writer.keyDevice, precision, now, pipeline.limits);
  if (fast) {
    const authorized = await writer.authorize(writer.keyDevice!).then(
      () => true,
      () => false, // the general path below authorizes again and words the refusal with its line
    );
    if (authorized) return pipeline.ingestPoints(fast, now);
  }
  let lines: ParsedLine[];
  try {
    lines = parseLineProtocol(text);
  } catch (err) {
    if (err instanceof LineSyntaxError) throw lineError(err.line, `${err.reason}${err.text ? ` ('${err.text}')` : ''}`);
    throw err;
  }
  if (lines.length === 0) throw new FluxgateError('INVALID_LINE_PROTOCOL', 'no points: the body has no lines (only blank lines or comments)');
  const limits = pipeline.limits;
  const allowed = new Set<string>();
  const validFields = new Set<string>();
  const points: Point[] = [];
  for (const line of lines) {
    const deviceId = deviceOf(line, writer);
    if (!allowed.has(deviceId)) {
      await writer.authorize(deviceId).catch((err: unknown) => {
        throw isFluxgateError(err) ? new FluxgateError(err.code, `line ${line.line}: ${err.message}`, { line: line.line, ...asObject(err.details) }) : err;
      });
      allowed.add(deviceId);
    }
    const ts = lineTime(line, precision, now, limits);
    const meta = line.tags.length === 0 ? null : metadataOf(line, limits);
    for (const [field, value] of line.fields) {
      if (!validFields.has(field)) {
        if (!isValidFieldName(field)) throw lineError(line.line, `field key "${field.slice(0, 64)}" is not a valid Fluxgate field name (letters, digits, _ . : -; at most 128)`);
        validFields.add(field);
      }
      if (typeof value === 'string') checkText(line.line, `field ${field}`, value, limits);
      points.push({ deviceId, ts, field, value, meta });
    }
    if (points.length > limits.maxPoints) {
      throw new FluxgateError('PAYLOAD_TOO_LARGE', `more than ${limits.maxPoints} points in one request (MAX_POINTS_PER_REQUEST); send smaller batches`);
    }
  }
  return pipeline.ingestPoints(points, now);
}

function deviceOf(line: ParsedLine, writer: LineWriter): string {
  const tagged = line.tags.find(([key]) => key === DEVICE_TAG)?.[1];
  return tagged ?? writer.keyDevice ?? line.measurement;
}

function lineTime(line: ParsedLine, precision: Precision, now: number, limits: NormalizeLimits): number {
  if (line.timestamp === undefined) return now;
  const ms = timestampToMs(line.timestamp, precision);
  if (ms === undefined) throw lineError(line.line, `timestamp ${line.timestamp} is before 1970`);
  if (ms > now + limits.maxFutureMs) {
    throw lineError(line.line, `timestamp ${line.timestamp} is too far in the future for precision ${precision} (is the precision parameter right?)`);
  }
  return ms;
}

/** The tags other than `device`, as the metadata JSON every point of the line carries. */
function metadataOf(line: ParsedLine, limits: NormalizeLimits): string | null {
  const meta: Record<string, string> = {};
  let any = false;
  for (const [key, value] of line.tags) {
    if (key === DEVICE_TAG) continue;
    checkText(line.line, `tag ${key}`, key, limits);
    checkText(line.line, `tag ${key}`, value, limits);
    meta[key] = value;
    any = true;
  }
  if (!any) return null;
  const text = JSON.stringify(meta);
  if (Buffer.byteLength(text) > limits.maxMetadataBytes) throw lineError(line.line, `the tags are larger than ${limits.maxMetadataBytes} bytes`);
  return text;
}

function checkText(lineNo: number, what: string, text: string, limits: NormalizeLimits): void {
  if (text.length > limits.maxStringLength) throw lineError(lineNo, `${what} is longer than ${limits.maxStringLength} characters`);
  const problem = textProblem(text);
  if (problem) throw lineError(lineNo, `${what} ${problem}`);
}

function lineError(line: number, message: string): FluxgateError {
  return new FluxgateError('INVALID_LINE_PROTOCOL', `line ${line}: ${message}`, { line });
}

function asObject(details: unknown): Record<string, unknown> {
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {};
}
