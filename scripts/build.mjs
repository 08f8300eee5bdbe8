#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) from a clean dist/, so a source
// file deleted since the last build leaves no module behind, then stamps dist/ with the sources'
// hash (scripts/source-stamp.mjs).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { STAMP_FILE, sourceStamp } from './source-stamp.mjs';

const root = process.cwd();
rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(STAMP_FILE, `${sourceStamp(root)}\n`);
console.log('fluxgate: compiled src/ to dist/');
