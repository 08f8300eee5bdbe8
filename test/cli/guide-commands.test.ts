// The `fluxgate import` commands of docs/import.md and docs/migrate/*.md, run as written (the URL and
// keys swapped for the test platform's) on samples of what the export commands beside them write.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPlatform, type TestPlatform } from '../helpers/platform.ts';
import { GUIDES, GUIDE_DEVICES, guideSamples, importCommands } from './guide-examples.ts';
import { runImport, storedPoints } from './import-fixtures.ts';

describe('the guides\' fluxgate import commands', () => {
  let tp: TestPlatform;
  let dir: string;
  const keys: Record<string, string> = {};
  before(async () => {
    tp = await startPlatform('sqlite');
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-guides-'));
    const token = await tp.adminToken();
    for (const id of GUIDE_DEVICES) keys[id] = (await tp.newDevice(token, { id, name: id })).api_key;
  });
  async function pointCount(): Promise<number> {
    let n = 0;
    for (const id of GUIDE_DEVICES) n += (await storedPoints(tp, id, keys[id]!)).length;
    return n;
  }
  after(async () => {
    await tp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every guide shows at least one, and every file it names has a sample', () => {
    const samples = guideSamples();
    for (const guide of GUIDES.filter((g) => g !== 'docs/migrate/README.md')) {
      const commands = importCommands(guide);
      assert.ok(commands.length > 0, `${guide} shows no fluxgate import command`);
      for (const c of commands) assert.ok(samples[guide]?.[c.args[0]!], `${guide}: no sample for ${c.args[0]}`);
    }
  });

  for (const guide of GUIDES) {
    test(`${guide}: each command imports its file, and again stores nothing new`, async (t) => {
      const commands = importCommands(guide);
      if (commands.length === 0) return t.skip('no import commands');
      const cwd = path.join(dir, path.basename(guide, '.md'));
      mkdirSync(cwd, { recursive: true });
      writeFileSync(path.join(cwd, 'keys.json'), JSON.stringify(Object.entries(keys).map(([id, api_key]) => ({ id, api_key }))));
      for (const [file, sample] of Object.entries(guideSamples()[guide] ?? {})) writeFileSync(path.join(cwd, file), `${sample.lines.join('\n')}\n`);
      for (const command of commands) {
        const device = command.args[command.args.indexOf('--device') + 1];
        const key = command.args.includes('--device') ? keys[device!] ?? 'unknown-device' : 'no-device';
        const swap = (w: string) => (w === 'http://localhost:8080' ? tp.baseUrl : /^(\$KEY|fgk_…)$/.test(w) ? key : w);
        const args = command.args.map(swap);
        const env = Object.fromEntries(Object.entries(command.env).map(([k, v]) => [k, swap(v)]));
        const expected = guideSamples()[guide]![command.args[0]!]!.rows;
        const counts: number[] = [await pointCount()];
        for (const round of ['first', 'again']) {
          const run = await runImport(args, env, cwd);
          assert.equal(run.code, 0, `${round}: npx fluxgate import ${command.args.join(' ')}\n${run.stderr}`);
          assert.match(run.stdout, new RegExp(`imported ${expected} rows`), run.stdout);
          counts.push(await pointCount());
        }
        assert.ok(counts[1]! > counts[0]!, `${command.args[0]}: nothing stored`);
        assert.equal(counts[2], counts[1], `${command.args[0]}: the second run stored points again`);
      }
    });
  }
});
