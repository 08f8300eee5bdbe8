// The line protocol fast path accepts only what the general parser accepts, with the same points:
// checked on hand-picked bodies and on thousands of seeded random ones built to sit near the edges.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ingestLineProtocol } from '../../src/connectors/line-protocol/line-protocol-ingest.ts';
import { fastLinePoints } from '../../src/connectors/line-protocol/line-fast-path.ts';
import { DEFAULT_LIMITS, type Point } from '../../src/domain/telemetry.ts';
import { seededRng } from '../../src/simulator/rng.ts';

const NOW = Date.UTC(2026, 11, 6, 12);
const LIMITS = { ...DEFAULT_LIMITS, maxPoints: 50 };

/**
 * The general parser's points for a body, as a device key would write them: to the key's device
 * (`dev`) whatever the measurement (the fast path takes no tags, so no `device` tag either). Called
 * without a key, so the fast path inside ingestLineProtocol stays out of it.
 */
async function general(text: string): Promise<Point[] | Error> {
  let stored: Point[] = [];
  const pipeline = { limits: LIMITS, ingestPoints: async (points: Point[]) => ((stored = points), points.length) };
  try {
    await ingestLineProtocol(pipeline, text, 'ms', { authorize: async () => {} }, NOW);
    return stored.map((p) => ({ ...p, deviceId: 'dev' }));
  } catch (err) {
    return err as Error;
  }
}

async function agree(text: string): Promise<'fast' | 'general'> {
  const fast = fastLinePoints(text, 'dev', 'ms', NOW, LIMITS);
  const slow = await general(text);
  if (fast === undefined) return 'general';
  assert.ok(!(slow instanceof Error), `fast path accepted what the general parser refuses (${String(slow)}): ${JSON.stringify(text)}`);
  assert.deepEqual(fast, slow, JSON.stringify(text));
  return 'fast';
}

it('takes the plain bodies and leaves the others to the general parser', async () => {
  assert.equal(await agree(`dev power=1200.5,voltage=230.1,current=5.43 ${NOW - 10_000}\ndev power=1201 ${NOW}\n`), 'fast');
  assert.equal(await agree('dev power=-1.5e3\n\ndev on=1'), 'fast');
  for (const text of ['dev,site=a power=1', 'dev on=true', 'dev n=5i', 'dev s="x"', '# c\ndev v=1', 'dev v=1\r\n', ' dev v=1', 'dev v=1 -5', 'dev v=0x10', 'dev v=Infinity', 'dev v=1e999', 'dev v=1 99999999999999999', '', '\n\n']) {
    assert.equal(await agree(text), 'general', text);
  }
});

it('agrees with the general parser on thousands of random bodies', async () => {
  const rng = seededRng(17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  /** Mostly from `good`, now and then from `edgy`: bodies near the edges, many of them valid. */
  const mostly = <T>(good: readonly T[], edgy: readonly T[]) => (rng() < 0.93 ? pick(good) : pick(edgy));
  const keys = [['v', 'power', 'a.b', 'x:y', 'k-1', '_9'], ['', 'bad key', 'é', '__proto__', 'a'.repeat(130)]] as const;
  // Up to 15 digits the fast path computes the value itself; beyond, and for exponents, Number() does.
  const digits = ['123456789012345', '1234567890123456', '9007199254740993', '0.000000000000001', '2.718281828459045', '271.828182845904', '-99999.9999999999', '00012.50', '-.5'];
  const values = [['1', '-2.5', '+3', '.5', '5.', '1e3', '1E-3', '0', '-0', '-0.0', '0.1', '0.3', '123456789012345678', ...digits], ['1e', '--1', '1.2.3', '', 'e5', '7i', 'true', 'NaN', '1e400', '0x1F']] as const;
  const times = [['', ` ${NOW}`, ` ${NOW - 1}`, ' 000123456789012', `  ${NOW}  `], [` ${NOW + 90_000_000}`, ' 12a', ' -1', ` ${NOW} x`]] as const;
  let fast = 0;
  for (let n = 0; n < 3000; n++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(rng() * 4);
    for (let l = 0; l < count; l++) {
      const fields = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => `${mostly(...keys)}=${mostly(...values)}`);
      const sep = mostly([' ', '  '], [',', '']);
      lines.push(`${mostly(['dev'], [''])}${sep}${fields.join(mostly([','], [', ', ',,']))}${mostly(...times)}`);
    }
    if ((await agree(lines.join(pick(['\n', '\n', '\n\n'])))) === 'fast') fast++;
  }
  assert.ok(fast > 300, `the fast path took ${fast} of 3000 bodies`);
  console.log(`fast path: ${fast} of 3000 random bodies`);
});

it('reads every decimal to the same double as Number()', () => {
  const rng = seededRng(29);
  for (let n = 0; n < 20_000; n++) {
    const length = 1 + Math.floor(rng() * 17);
    let digits = '';
    for (let i = 0; i < length; i++) digits += Math.floor(rng() * 10);
    const dot = Math.floor(rng() * (length + 1));
    const text = `${rng() < 0.3 ? '-' : ''}${digits.slice(0, dot)}${dot < length ? `.${digits.slice(dot)}` : ''}`;
    const points = fastLinePoints(`dev v=${text} ${NOW}`, 'dev', 'ms', NOW, LIMITS);
    assert.ok(Object.is(points?.[0]?.value, Number(text)), `${text}: ${String(points?.[0]?.value)} is not ${Number(text)}`);
  }
});
