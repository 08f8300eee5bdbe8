// The one benchmark report: a markdown table of every figure beside its same-run reference and
// target, and a chart (SVG, rendered to PNG by the Chromium playwright-core drives) of throughput,
// latency and memory per connection.
import type { BenchRecord, Figure } from './results.ts';

const num = (v: number, digits?: number) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) }) : 'n/a';

function cell(f: Figure): string[] {
  const ref = f.reference ? `${f.reference.name}: ${num(f.reference.value)} ${f.reference.unit}` : '';
  const ratio = f.ratio !== undefined && Number.isFinite(f.ratio) ? `${num(f.ratio, 2)}×` : '';
  const lat = f.p50Ms !== undefined ? `${num(f.p50Ms)} / ${num(f.p99Ms ?? NaN)} ms` : '';
  const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
  return [f.name, `${num(f.value)} ${f.unit}`, lat, ref, ratio, f.target ?? '', met, f.note ?? ''];
}

export function markdownReport(records: BenchRecord[], context: { started: string; finished: string; commands: string[]; logsNote: string; missing: string[] }): string {
  const out: string[] = [];
  out.push('# Fluxgate benchmark report', '');
  const machine = (records[0]?.machine ?? 'unknown').replace(/, load avg .*/, '');
  const loads = records.map((r) => `${r.bench} ${/load avg (\S+)/.exec(r.machine)?.[1] ?? '?'}`).join(', ');
  out.push(`Run ${context.started} → ${context.finished} by \`npm run bench\`. Machine: ${machine}.`);
  out.push(`Load average (1 min) as each bench finished: ${loads}.`);
  out.push('');
  out.push('The machine may be shared with other work while this runs; absolute figures are noisy, the ratio to the');
  out.push('reference measured in the same run is the steadier figure. `met` is judged on the figure of this run.');
  out.push('');
  out.push('![throughput, latency and memory](chart.png)', '');
  out.push('| bench | measure | figure | p50 / p99 | reference (same run) | ratio | target | met | note |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of records) for (const f of r.figures) out.push(`| ${r.bench} | ${cell(f).map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
  out.push('');
  if (context.missing.length > 0) out.push(`Benches that wrote no figures (failed or skipped; see the logs): ${context.missing.join(', ')}.`, '');
  out.push('Commands run:', '');
  for (const c of context.commands) out.push(`- \`${c}\``);
  out.push('', context.logsNote, '');
  return out.join('\n');
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

interface Bar {
  label: string;
  values: Array<{ v: number; color: string; text: string }>;
}

/** Horizontal bars on a log10 axis (the figures span five orders of magnitude). */
function panel(title: string, unit: string, bars: Bar[], y0: number, width: number, legend: Array<[string, string]>): { svg: string; height: number } {
  const rowH = 14;
  const gap = 10;
  const labelW = 330;
  const plotW = width - labelW - 260;
  const all = bars.flatMap((b) => b.values.map((v) => v.v)).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...all, 10)));
  const x = (v: number) => labelW + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  parts.push(`<text x="10" y="${y0 + 18}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  let lx = labelW;
  for (const [name, color] of legend) {
    parts.push(`<rect x="${lx}" y="${y0 + 28}" width="12" height="12" fill="${color}"/><text x="${lx + 16}" y="${y0 + 38}" font-size="12">${esc(name)}</text>`);
    lx += 24 + name.length * 7;
  }
  const top = y0 + 52;
  let y = top;
  for (const b of bars) {
    const h = b.values.length * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + h / 2 + 4}" font-size="11" text-anchor="end">${esc(b.label.length > 52 ? b.label.slice(0, 51) + '…' : b.label)}</text>`);
    b.values.forEach((v, i) => {
      const yy = y + i * rowH;
      const w = Number.isFinite(v.v) && v.v > 0 ? x(v.v) - labelW : 0;
      parts.push(`<rect x="${labelW}" y="${yy + 1}" width="${Math.max(1, w)}" height="${rowH - 2}" fill="${v.color}"/>`);
      parts.push(`<text x="${labelW + Math.max(1, w) + 4}" y="${yy + rowH - 3}" font-size="10">${esc(v.text)}</text>`);
    });
    y += h + gap;
  }
  for (let p = lo; p <= hi; p++) {
    const xx = x(10 ** p);
    parts.push(`<line x1="${xx}" y1="${top - 4}" x2="${xx}" y2="${y - gap + 2}" stroke="#ccc" stroke-dasharray="2,2"/>`);
    parts.push(`<text x="${xx}" y="${y + 6}" font-size="10" text-anchor="middle">${num(10 ** p)}</text>`);
  }
  parts.push(`<text x="${labelW + plotW / 2}" y="${y + 20}" font-size="11" text-anchor="middle">${esc(unit)} (log scale)</text>`);
  return { svg: parts.join('\n'), height: y - y0 + 30 };
}

export function chartSvg(records: BenchRecord[]): { svg: string; width: number; height: number } {
  const width = 1200;
  const figures = records.flatMap((r) => r.figures.map((f) => ({ bench: r.bench, ...f })));
  const FIG = '#2f6fd6';
  const REF = '#b8b8b8';
  const P99 = '#e07b39';
  const throughput: Bar[] = figures
    .filter((f) => f.kind === 'throughput')
    .map((f) => ({
      label: `${f.bench}: ${f.name}`,
      values: [
        { v: f.value, color: FIG, text: `${num(f.value)} ${f.unit}` },
        ...(f.reference && f.reference.unit.replace(/ .*/, '') !== 'ms' ? [{ v: f.reference.value, color: REF, text: `${f.reference.name}: ${num(f.reference.value)} ${f.reference.unit}` }] : []),
      ],
    }));
  const latency: Bar[] = figures
    .filter((f) => f.p50Ms !== undefined && Number.isFinite(f.p50Ms))
    .map((f) => ({
      label: `${f.bench}: ${f.name}`,
      values: [
        { v: f.p50Ms!, color: FIG, text: `p50 ${num(f.p50Ms!)} ms` },
        { v: f.p99Ms ?? NaN, color: P99, text: `p99 ${num(f.p99Ms ?? NaN)} ms` },
      ],
    }));
  const memory: Bar[] = figures
    .filter((f) => f.kind === 'memory' && f.unit === 'KiB')
    .map((f) => ({
      label: `${f.bench}: ${f.name}`,
      values: [
        { v: f.value, color: FIG, text: `${num(f.value)} KiB` },
        ...(f.reference ? [{ v: f.reference.value, color: REF, text: `${f.reference.name}: ${num(f.reference.value)} KiB` }] : []),
        { v: 16, color: '#5aa469', text: 'target 16 KB' },
        { v: 66, color: '#d9534f', text: 'ThingsBoard ~66 KB (published)' },
      ],
    }));
  const parts: string[] = [];
  let y = 10;
  for (const [title, unit, bars, legend] of [
    ['Throughput (blue: Fluxgate; grey: reference measured in the same run)', 'per second', throughput, [['figure', FIG], ['reference', REF]]],
    ['Latency', 'milliseconds', latency, [['p50', FIG], ['p99', P99]]],
    ['Server memory per MQTT connection', 'KiB', memory, [['Fluxgate', FIG], ['bare aedes', REF]]],
  ] as Array<[string, string, Bar[], Array<[string, string]>]>) {
    if (bars.length === 0) continue;
    const p = panel(title, unit, bars, y, width, legend);
    parts.push(p.svg);
    y += p.height + 10;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('\n')}</svg>`;
  return { svg, width, height: y };
}
