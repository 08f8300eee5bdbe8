// JSON bodies nested deeper than a limit are refused with a 400 before they are parsed: deep
// nesting is never needed by a device or a dashboard, and recursive code further on (validation,
// serialising to storage) would otherwise overflow the stack and answer 500.
import type { FastifyInstance } from 'fastify';
import { FluxgateError } from '../../contract/errors.ts';
import { badJsonValue } from './json-values.ts';

export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of objects and arrays in JSON text (strings are skipped). */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return deepest;
}

export function installJsonDepthLimit(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepth(body as string, maxDepth) > maxDepth) {
      done(new FluxgateError('VALIDATION_FAILED', `body: JSON nested deeper than ${maxDepth} levels`, { field: 'body', max_depth: maxDepth }), undefined);
      return;
    }
    parse(request, body as string, (err: Error | null, value?: unknown) => {
      const bad = err ? undefined : badJsonValue(body as string, value);
      if (bad) return done(new FluxgateError('VALIDATION_FAILED', `${bad.field}: ${bad.problem}`, { field: bad.field }), undefined);
      done(err, value);
    });
  });
}
