// CSV for `fluxgate import`: a header row, a time column, an optional device column, and either
// every other column a field ("wide", as psql \copy writes tables) or one field/value column pair
// per row ("long", as InfluxDB writes query results: _time,_field,_value). Lines starting with #
// (InfluxDB annotations) and repeated header rows (one per InfluxDB result table) are skipped.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { type ReadOptions, type ReadResult } from './import-rows.ts';
import { parseTime, typeCell } from './import-values.ts';

const TIME_COLUMNS = ['timestamp', 'time', 'ts', '_time', 'datetime', 'recorded_at', 'created_at'];
const DEVICE_COLUMNS = ['device_id', 'deviceid', 'device'];

interface Layout {
  header: string[];
  time: number;
  device: number;
  field: number;
  value: number;
}

export class CsvLayoutError extends Error {}

function columnIndex(header: string[], wanted: string | undefined, guesses: string[], flag: string): number {
  if (wanted !== undefined) {
    const i = header.indexOf(wanted);
    if (i < 0) throw new CsvLayoutError(`${flag} ${wanted}: no such column (columns: ${header.filter(Boolean).join(', ')})`);
    return i;
  }
  return header.findIndex((h) => guesses.includes(h.toLowerCase()));
}

function layoutOf(header: string[], opts: ReadOptions): Layout {
  const time = columnIndex(header, opts.timeColumn, TIME_COLUMNS, '--time-column');
  if (time < 0) throw new CsvLayoutError(`no time column (looked for ${TIME_COLUMNS.join(', ')}); name it with --time-column`);
  const device = columnIndex(header, opts.deviceColumn, opts.deviceColumn === undefined ? DEVICE_COLUMNS : [], '--device-column');
  const field = opts.fieldColumn === undefined ? -1 : columnIndex(header, opts.fieldColumn, [], '--field-column');
  const value = opts.valueColumn === undefined ? -1 : columnIndex(header, opts.valueColumn, [], '--value-column');
  if ((field < 0) !== (value < 0)) throw new CsvLayoutError('--field-column and --value-column go together');
  if (device < 0 && opts.device === undefined) throw new CsvLayoutError('no device column (device_id, device); name it with --device-column or give --device');
  return { header, time, device, field, value };
}

function toRow(cells: string[], line: number, layout: Layout, opts: ReadOptions): ReadResult {
  if (cells.length !== layout.header.length) return { line, reason: `has ${cells.length} columns, the header has ${layout.header.length}` };
  const ts = parseTime(cells[layout.time], opts.timeUnit, opts.zone);
  if (typeof ts === 'string') return { line, reason: ts };
  const deviceId = (layout.device >= 0 ? cells[layout.device]?.trim() : '') || opts.device;
  const data: Record<string, unknown> = {};
  if (layout.field >= 0) {
    const name = cells[layout.field]?.trim() ?? '';
    const value = typeCell(cells[layout.value] ?? '');
    if (!name) return { line, reason: `${layout.header[layout.field]} is empty` };
    if (value === undefined) return { line, reason: `${layout.header[layout.value]} is empty` };
    data[name] = value;
  } else {
    layout.header.forEach((name, i) => {
      if (!name || i === layout.time || i === layout.device) return;
      const value = typeCell(cells[i] ?? '');
      if (value !== undefined) data[name] = value;
    });
  }
  const points = Object.keys(data).length;
  if (points === 0) return { line, reason: 'has no values (every field column is empty)' };
  return { line, deviceId, message: { timestamp: ts, data }, points };
}

/** Yields every data row of a CSV file, or the reason it is bad, with its line number. */
export async function* readCsv(path: string, opts: ReadOptions): AsyncGenerator<ReadResult> {
  const parser = createReadStream(path).pipe(
    parse({ info: true, bom: true, skip_empty_lines: true, comment: '#', comment_no_infix: true, relax_column_count: true, relax_quotes: true }),
  );
  let layout: Layout | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!layout) {
      layout = layoutOf(record.map((c) => c.trim()), opts);
      continue;
    }
    const header = layout.header;
    if (record.length === header.length && record.every((c, i) => c.trim() === header[i])) continue;
    yield toRow(record, info.lines, layout, opts);
  }
}
