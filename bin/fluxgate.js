#!/usr/bin/env -S node --max-semi-space-size=32
// Entry point of the `fluxgate` command. It runs the compiled platform in dist/ (`npm run build`)
// when dist/ was built from the sources as they are now (its stamp matches, scripts/source-stamp.mjs);
// otherwise it runs the TypeScript sources through tsx, so a fresh clone needs no build step:
// `npm install && npm start`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STAMP_FILE, sourceStamp } from '../scripts/source-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = new URL(`../${STAMP_FILE}`, import.meta.url);

function distMatchesSources() {
  if (!existsSync(stampFile) || !existsSync(new URL('../dist/cli/main.js', import.meta.url))) return false;
  return readFileSync(stampFile, 'utf8').trim() === sourceStamp(root);
}

if (distMatchesSources()) {
  await import('../dist/cli/main.js');
} else {
  if (existsSync(stampFile)) console.error('fluxgate: dist/ is older than src/ (run `npm run build`); running the sources through tsx');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
