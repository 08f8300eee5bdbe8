// The dashboard the end-to-end tests open: built into web/dist when it is missing or older than its
// sources, so a test never runs against a stale build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureDashboardBuilt(): void {
  if (existsSync('web/dist/index.html') && newestSource('web/src') <= statSync('web/dist/index.html').mtimeMs) return;
  const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
  assert.equal(built.status, 0, 'building the dashboard failed');
}
