import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  RULE_ACTIONS,
  RULE_TRIGGERS,
  ruleInputSchema,
  type Rule,
  type RuleInput,
} from '../../crm/rule.ts';
import { RuleRepository } from '../../db/rules.ts';
import { TagRepository } from '../../db/tags.ts';
import type { AppEnv } from '../app.ts';
import { AppError, invalidRequest, notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { filterBody } from './filter-param.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

/** Auto-tag rules (F5.3) and the record of their passes. */

const ruleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    trigger: z.enum(RULE_TRIGGERS).openapi({
      description: '`schedule`: every 15 minutes; `birth_month`: the 1st of each month at 00:00',
    }),
    filter: filterBody,
    action: z.enum(RULE_ACTIONS),
    tagId: z.string(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Rule');
const runSchema = z
  .object({
    id: z.string(),
    cause: z.string().openapi({ description: 'schedule | birth_month | link | form | manual' }),
    scopedTo: z.number().int().nullable(),
    added: z.number().int(),
    removed: z.number().int(),
    durationMs: z.number().int(),
    startedAt: z.string(),
  })
  .openapi('RuleRun');
/** Documented field by field; applied whole by `ruleInput` (the filter is recursive). */
const ruleBody = z.object({
  name: z.string(),
  trigger: z.enum(RULE_TRIGGERS).optional(),
  filter: filterBody,
  action: z.enum(RULE_ACTIONS),
  tagId: z.string(),
  enabled: z.boolean().optional(),
});
function ruleInput(body: unknown): RuleInput {
  const parsed = ruleInputSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}
const ruleParams = botParams.extend({ ruleId: recordIdSchema });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ adminToken: [] }];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/rules',
    summary: "The bot's auto-tag rules, in the order a pass runs them",
    security,
    request: { params: botParams },
    responses: {
      200: { description: 'Rules', ...json(z.object({ items: z.array(ruleSchema) })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/rules',
    summary: 'Create a rule',
    security,
    request: { params: botParams, body: { required: true, ...json(ruleBody) } },
    responses: {
      201: { description: 'Created', ...json(ruleSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/rules/{ruleId}',
    summary: 'Read a rule',
    security,
    request: { params: ruleParams },
    responses: {
      200: { description: 'The rule', ...json(ruleSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  update: createRoute({
    method: 'put',
    path: '/api/bots/{botId}/rules/{ruleId}',
    summary: 'Replace a rule',
    security,
    request: { params: ruleParams, body: { required: true, ...json(ruleBody) } },
    responses: {
      200: { description: 'The rule', ...json(ruleSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/bots/{botId}/rules/{ruleId}',
    summary: 'Delete a rule (tags it gave stay)',
    security,
    request: { params: ruleParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  }),
  runs: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/rules/{ruleId}/runs',
    summary: "A rule's passes, newest first: what each added and removed, and how long it took",
    security,
    request: {
      params: ruleParams,
      query: z.object({
        before: z
          .string()
          .regex(/^\d{1,18}$/)
          .optional()
          .openapi({ description: 'A run id' }),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: { description: 'Runs', ...json(z.object({ items: z.array(runSchema) })) },
      ...errorResponses(400, 401, 404),
    },
  }),
};

function present(r: Rule): z.infer<typeof ruleSchema> {
  return {
    id: r.id,
    name: r.name,
    trigger: r.trigger,
    filter: r.filter,
    action: r.action,
    tagId: r.tagId,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A rule's tag must be the bot's own: a field error, like any other bad input. */
async function requireTag(tags: TagRepository, botId: string, tagId: string) {
  if (!(await tags.get(botId, tagId)))
    throw new AppError(400, 'invalid_request', 'tagId: no such tag in this bot', [
      { field: 'tagId', message: 'no such tag in this bot' },
    ]);
}

export function ruleRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      const rules = await new RuleRepository(c.var.deps.db.kysely).list(botId);
      if (rules.length === 0) await requireBot(c, botId);
      return c.json({ items: rules.map(present) }, 200);
    })
    .openapi(routes.create, async (c) => {
      const { botId } = c.req.valid('param');
      const input = ruleInput(c.req.valid('json'));
      const db = c.var.deps.db.kysely;
      await requireBot(c, botId);
      await requireTag(new TagRepository(db), botId, input.tagId);
      return c.json(present(await new RuleRepository(db).create(botId, input)), 201);
    })
    .openapi(routes.get, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      const rule = await new RuleRepository(c.var.deps.db.kysely).get(botId, ruleId);
      if (!rule) throw notFound('rule');
      return c.json(present(rule), 200);
    })
    .openapi(routes.update, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      const input = ruleInput(c.req.valid('json'));
      const db = c.var.deps.db.kysely;
      const rules = new RuleRepository(db);
      if (!(await rules.get(botId, ruleId))) throw notFound('rule');
      await requireTag(new TagRepository(db), botId, input.tagId);
      const rule = await rules.update(botId, ruleId, input);
      if (!rule) throw notFound('rule');
      return c.json(present(rule), 200);
    })
    .openapi(routes.remove, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      if (!(await new RuleRepository(c.var.deps.db.kysely).delete(botId, ruleId)))
        throw notFound('rule');
      return c.body(null, 204);
    })
    .openapi(routes.runs, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      const { before, limit } = c.req.valid('query');
      const rules = new RuleRepository(c.var.deps.db.kysely);
      if (!(await rules.get(botId, ruleId))) throw notFound('rule');
      const runs = await rules.runs(ruleId, { before, limit });
      return c.json(
        {
          items: runs.map(({ ruleId: _, ...r }) => ({
            ...r,
            startedAt: r.startedAt.toISOString(),
          })),
        },
        200,
      );
    });
}
