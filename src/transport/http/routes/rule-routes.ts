// Rules: CRUD under /api/v1/rules (the creator owns a rule; admins see all) and the dry run, which
// replays stored data through a rule without saving it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../../contract/http/common.ts';
import { type RuleBody, type RuleView, dryRunBody, dryRunQuery, dryRunView, ruleBody, ruleIdParam, ruleView } from '../../../contract/http/rules.ts';
import type { Rule, RuleDefinition } from '../../../domain/rule.ts';
import type { DryRunDevice } from '../../../rules/dry-run.ts';
import type { RuleContent } from '../../../rules/rule-service.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function toDefinition(body: RuleBody): RuleDefinition {
  return { target: body.target, condition: body.condition, for_s: body.for_s, clear: body.clear, severity: body.severity, escalation: body.escalation, actions: body.actions, notify: body.notify };
}

const toContent = (body: RuleBody): RuleContent => ({ name: body.name, description: body.description, enabled: body.enabled, definition: toDefinition(body) });

function ruleToView(rule: Rule): RuleView {
  const d = rule.definition;
  return {
    id: rule.id,
    owner_id: rule.ownerId,
    name: rule.name,
    description: rule.description,
    enabled: rule.enabled,
    target: d.target,
    condition: d.condition,
    for_s: d.for_s,
    clear: d.clear,
    severity: d.severity,
    escalation: d.escalation,
    actions: d.actions ?? [],
    notify: d.notify ?? [],
    created_at: iso(rule.createdAt),
    updated_at: iso(rule.updatedAt),
  } as RuleView;
}

function dryRunToView(result: { start: number; end: number; devices: DryRunDevice[] }): z.output<typeof dryRunView> {
  return {
    start: iso(result.start),
    end: iso(result.end),
    devices: result.devices.map((d) => ({
      device_id: d.deviceId,
      points: d.points,
      truncated: d.truncated,
      transitions: d.transitions.map((t) => ({ at: iso(t.at), event: t.event, severity: t.severity })),
    })),
  };
}

export function ruleRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['rules and alarms'];
  const security = [{ bearer: [] }];

  r.get(
    '/api/v1/rules',
    { schema: { tags, summary: 'Your rules (admins: everyone\'s), newest first', security, response: { 200: z.object({ rules: z.array(ruleView) }) } } },
    async (request) => ({ rules: (await deps.rules.list(await requireUser(deps.auth, request))).map(ruleToView) }),
  );

  r.post(
    '/api/v1/rules',
    {
      schema: {
        tags,
        summary: 'Create a rule: a condition on devices you may read that raises an alarm once it has held for_s seconds',
        security,
        body: ruleBody,
        response: { 201: ruleView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(ruleToView(await deps.rules.create(await requireUser(deps.auth, request), toContent(request.body)))),
  );

  r.post(
    '/api/v1/rules/dry-run',
    {
      schema: {
        tags,
        summary: 'Replay the last hours of stored data through a rule (not saved) and say when it would have raised and cleared',
        security,
        body: dryRunBody,
        response: { 200: dryRunView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request) => dryRunToView(await deps.rules.dryRun(await requireUser(deps.auth, request), toDefinition(request.body.rule), request.body.hours)),
  );

  r.get(
    '/api/v1/rules/:id',
    { schema: { tags, summary: 'A rule', security, params: ruleIdParam, response: { 200: ruleView, 404: errorResponse } } },
    async (request) => ruleToView(await deps.rules.get(await requireUser(deps.auth, request), request.params.id)),
  );

  r.put(
    '/api/v1/rules/:id',
    {
      schema: { tags, summary: 'Replace a rule (its owner or an admin); open alarms stay open', security, params: ruleIdParam, body: ruleBody, response: { 200: ruleView, 400: errorResponse, 404: errorResponse } },
    },
    async (request) => ruleToView(await deps.rules.replace(await requireUser(deps.auth, request), request.params.id, toContent(request.body))),
  );

  r.delete(
    '/api/v1/rules/:id',
    { schema: { tags, summary: 'Delete a rule; its open alarms are cleared and keep their history', security, params: ruleIdParam } },
    async (request, reply) => {
      await deps.rules.remove(await requireUser(deps.auth, request), request.params.id);
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/rules/:id/dry-run',
    {
      schema: {
        tags,
        summary: 'Replay the last hours of stored data through a saved rule',
        security,
        params: ruleIdParam,
        querystring: dryRunQuery,
        response: { 200: dryRunView, 404: errorResponse },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const rule = await deps.rules.get(principal, request.params.id);
      return dryRunToView(await deps.rules.dryRun(principal, rule.definition, request.query.hours));
    },
  );
}
