#!/usr/bin/env node
// Runs on `npm install` (the `prepare` script): builds the dashboard into web/dist, which the
// platform serves at /. Skipped when the build tools are absent (a production install without
// dev dependencies): the platform then answers / with how to build it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/vite/package.json')) {
  console.log('fluxgate: vite not installed (no dev dependencies); skipping the dashboard build');
  process.exit(0);
}
const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
