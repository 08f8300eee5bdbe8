// JSON bodies nested deeper than a limit are refused with a 400: deep nesting is never needed by a
// device or a dashboard, and recursive code further on (validation, serialising to storage) would
// otherwise overflow the stack and answer 500. JSON.parse itself does not recurse, so the depth is
// checked after it, in the same walk that looks for non-finite numbers (json-values.ts), instead of
// in a pass of its own over the text.
import type { FastifyInstance } from 'fastify';
import { FluxgateError } from '../../contract/errors.ts';
import { TOO_DEEP, badJsonValue, walkParsed } from './json-values.ts';

export const MAX_JSON_DEPTH = 64;

export function installJsonDepthLimit(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const found = walkParsed(value, maxDepth);
      if (found === TOO_DEEP) {
        return done(new FluxgateError('VALIDATION_FAILED', `body: JSON nested deeper than ${maxDepth} levels`, { field: 'body', max_depth: maxDepth }), undefined);
      }
      const bad = badJsonValue(body as string, value, found);
      if (bad) return done(new FluxgateError('VALIDATION_FAILED', `${bad.field}: ${bad.problem}`, { field: bad.field }), undefined);
      done(null, value);
    });
  });
}
