// The stamp that ties dist/ to the sources it was compiled from: a hash of every file under src/
// and of the tsconfig files. `npm run build` writes it to dist/build-stamp.txt; bin/fluxgate.js runs
// dist/ only while the stamp still matches, so a `git pull` without a rebuild never runs old code.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Hex SHA-256 over the relative path and content of each source file, in a stable order. */
export function sourceStamp(root) {
  const hash = createHash('sha256');
  const files = [...filesUnder(path.join(root, 'src')), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];
  for (const file of files.map((f) => path.relative(root, f).split(path.sep).join('/')).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export const STAMP_FILE = 'dist/build-stamp.txt';
