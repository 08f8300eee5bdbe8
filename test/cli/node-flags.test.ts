// The platform's Node flags live in scripts/node-flags.mjs; the two ways a user starts it must carry them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PLATFORM_NODE_FLAGS } from '../../scripts/node-flags.mjs';

test('npm start, the fluxgate command and bench:mqtt run with the platform Node flags', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const flags = PLATFORM_NODE_FLAGS.join(' ');
  assert.equal(pkg.scripts.start, `node ${flags} bin/fluxgate.js start`);
  assert.equal(pkg.scripts.fluxgate, `node ${flags} bin/fluxgate.js`);
  assert.equal(readFileSync('bin/fluxgate.js', 'utf8').split('\n')[0], `#!/usr/bin/env -S node ${flags}`);
  // bench:mqtt runs the platform in its own process.
  assert.equal(pkg.scripts['bench:mqtt'], `node ${flags} --import tsx bench/mqtt.bench.ts`);
});
