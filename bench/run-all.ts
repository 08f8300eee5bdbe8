// npm run bench [-- --full] [--only ingest,query] [--soak-minutes 2]
// Runs every benchmark under bench/ one after the other (short modes unless --full), each writing
// its figures to one JSON-lines file, then writes bench/report/REPORT.md (every figure beside its
// same-run reference and target) and bench/report/chart.png (throughput, latency, memory per
// connection; an SVG rendered by Chromium through playwright-core). Logs: bench/report/logs/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chartSvg, markdownReport } from './lib/report.ts';
import type { BenchRecord } from './lib/results.ts';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    connections: { type: 'string', default: '10000' },
    'soak-minutes': { type: 'string', default: '0' },
    /** Only re-render REPORT.md and chart.png from the results file of the last run. */
    'report-only': { type: 'boolean', default: false },
  },
});
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(import.meta.dirname, 'report');
const RESULTS = path.join(OUT, 'results.jsonl');
const LOGS = path.join(OUT, 'logs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Job {
  name: string;
  script: string;
  args: string[];
  env?: Record<string, string>;
}

const full = args.full;
const jobs: Job[] = [
  { name: 'ingest', script: 'bench:ingest', args: full ? [] : ['--rounds', '3', '--duration', '3'] }, // medians of 3: one round's share moved with the load of the moment
  { name: 'query', script: 'bench:query', args: [] }, // 200 runs take seconds; a p50 of 50 moved with the load of the moment
  { name: 'mqtt', script: 'bench:mqtt', args: [], env: full ? {} : { BENCH_MESSAGES: '3000' } },
  { name: 'simulator', script: 'bench:simulator', args: [], env: full ? {} : { BENCH_SECONDS: '10' } },
  { name: 'connections', script: 'bench:connections', args: ['--connections', args.connections, ...(full ? [] : ['--steady', '12', '--storm-limit', '150'])] },
];
if (Number(args['soak-minutes']) > 0) jobs.push({ name: 'soak', script: 'soak', args: ['--minutes', args['soak-minutes']] });
const selected = args.only ? jobs.filter((j) => args.only!.split(',').includes(j.name)) : jobs;

function run(job: Job): Promise<number> {
  return new Promise((resolve) => {
    const log = path.join(LOGS, `${job.name}.log`);
    const child = spawn('npm', ['run', '--silent', job.script, '--', ...job.args], {
      cwd: ROOT,
      env: { ...process.env, ...job.env, BENCH_RESULTS: RESULTS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const keep = (c: Buffer) => {
      text += c.toString();
      process.stdout.write(c);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code) => {
      writeFileSync(log, text);
      resolve(code ?? 1);
    });
  });
}

async function renderPng(svg: string, width: number, height: number, file: string): Promise<string | undefined> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH): chart.svg only`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file, fullPage: true });
    return undefined;
  } finally {
    await browser.close();
  }
}

mkdirSync(LOGS, { recursive: true });
const started = new Date().toISOString();
const commands: string[] = [];
if (!args['report-only']) {
  rmSync(RESULTS, { force: true });
  for (const job of selected) {
    const cmd = `${Object.entries(job.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}npm run ${job.script}${job.args.length ? ' -- ' + job.args.join(' ') : ''}`;
    console.log(`\n=== ${cmd}`);
    const code = await run(job);
    commands.push(`${cmd}${code === 0 ? '' : `  (exit ${code})`}`);
  }
}
// --report-only keeps the times and commands of the run that wrote the results.
const RUN = path.join(OUT, 'run.json');
let runInfo = { started, finished: new Date().toISOString(), commands };
if (args['report-only'] && existsSync(RUN)) runInfo = JSON.parse(readFileSync(RUN, 'utf8')) as typeof runInfo;
else writeFileSync(RUN, JSON.stringify(runInfo, null, 2) + '\n');
const records: BenchRecord[] = existsSync(RESULTS)
  ? readFileSync(RESULTS, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BenchRecord)
  : [];
const missing = selected.map((j) => j.name).filter((n) => !records.some((r) => r.bench === n));
const { svg, width, height } = chartSvg(records);
writeFileSync(path.join(OUT, 'chart.svg'), svg);
const pngProblem = await renderPng(svg, width, height, path.join(OUT, 'chart.png'));
if (pngProblem) console.warn(pngProblem);
writeFileSync(
  path.join(OUT, 'REPORT.md'),
  markdownReport(records, {
    started: runInfo.started,
    finished: runInfo.finished,
    commands: runInfo.commands.length ? runInfo.commands : ['(report re-rendered from results.jsonl)'],
    logsNote: 'Full output of each bench: `bench/report/logs/`. Figures as JSON lines: `bench/report/results.jsonl`.',
    missing: args['report-only'] ? [] : missing,
  }),
);
console.log(`\nwrote ${path.relative(ROOT, path.join(OUT, 'REPORT.md'))} and chart.png (${records.reduce((n, r) => n + r.figures.length, 0)} figures from ${records.length} benches)`);
