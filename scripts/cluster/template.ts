// Fills the {{NAME}} placeholders of a config template shipped under deploy/; a placeholder left
// unfilled is an error, so a template and its filler cannot drift apart silently.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function fillTemplate(relativePath: string, values: Record<string, string>): string {
  const text = readFileSync(new URL(`../../${relativePath}`, import.meta.url), 'utf8');
  const missing = new Set<string>();
  const filled = text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw new Error(`${relativePath}: no value for ${[...missing].join(', ')}`);
  return filled;
}
