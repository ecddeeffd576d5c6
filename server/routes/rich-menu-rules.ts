import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RichMenuRuleInput } from '../../crm/rich-menu.ts';
import {
  richMenuNameSchema,
  richMenuRuleInputSchema,
  type RichMenuRule,
} from '../../crm/rich-menu.ts';
import { RichMenuRepository } from '../../db/rich-menus.ts';
import { richMenus } from '../../rich-menus/index.ts';
import type { AppEnv } from '../app.ts';
import { AppError, invalidRequest, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

/** Per-friend rich-menu rules (F7.2): an ordered list; a friend gets the first match's menu. */

// The filter is recursive (z.lazy), which the document generator cannot walk: documented as an
// object here and parsed whole in the handler, so a bad one is a 400 naming its path.
const filterDoc = z
  .record(z.string(), z.unknown())
  .openapi({ type: 'object', description: 'A filter (F5.2): see README, "Filters"' });

const ruleSchema = z
  .object({
    id: z.string(),
    position: z.number().int(),
    menu: richMenuNameSchema,
    filter: filterDoc,
  })
  .openapi('RichMenuRule');
const ruleBody = z
  .object({
    menu: richMenuNameSchema,
    filter: filterDoc,
    position: z.number().int().min(0).max(10_000).optional(),
  })
  .openapi('RichMenuRuleInput');
const ruleParams = botParams.extend({ ruleId: recordIdSchema });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ adminToken: [] }];
const path = '/api/bots/{botId}/rich-menu-rules';

const routes = {
  list: createRoute({
    method: 'get',
    path,
    summary: "The bot's per-friend rich-menu rules, first match first",
    security,
    request: { params: botParams },
    responses: {
      200: { description: 'Rules', ...json(z.object({ items: z.array(ruleSchema) })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  create: createRoute({
    method: 'post',
    path,
    summary: 'Add a rule (at `position`, or last)',
    security,
    request: { params: botParams, body: jsonBody(ruleBody) },
    responses: {
      201: { description: 'Created', ...json(ruleSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  put: createRoute({
    method: 'put',
    path: `${path}/{ruleId}`,
    summary: "Replace a rule's menu and filter; move it when `position` is given",
    security,
    request: { params: ruleParams, body: jsonBody(ruleBody) },
    responses: {
      200: { description: 'Saved', ...json(ruleSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  delete: createRoute({
    method: 'delete',
    path: `${path}/{ruleId}`,
    summary: 'Delete a rule',
    security,
    request: { params: ruleParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  }),
};

const shown = (r: RichMenuRule) => ({
  id: r.id,
  position: r.position,
  menu: r.menu,
  filter: r.filter,
});

function ruleInput(body: unknown): RichMenuRuleInput {
  const parsed = richMenuRuleInputSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}

/** A rule must name a menu defined in rich-menus/ (applied or about to be). */
function requireDefined(menu: string): void {
  if (!richMenus.some((d) => d.name === menu))
    throw new AppError(400, 'invalid_request', `menu: no rich menu "${menu}" is defined`, [
      { field: 'menu', message: `no rich menu "${menu}" is defined` },
    ]);
}

export function richMenuRuleRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const rules = await new RichMenuRepository(c.var.deps.db.kysely).rules(botId);
      return c.json({ items: rules.map(shown) }, 200);
    })
    .openapi(routes.create, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const input = ruleInput(c.req.valid('json'));
      requireDefined(input.menu);
      const rule = await new RichMenuRepository(c.var.deps.db.kysely).createRule(botId, input);
      return c.json(shown(rule), 201);
    })
    .openapi(routes.put, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      const input = ruleInput(c.req.valid('json'));
      requireDefined(input.menu);
      const rule = await new RichMenuRepository(c.var.deps.db.kysely).updateRule(
        botId,
        ruleId,
        input,
      );
      if (!rule) throw notFound('rich-menu rule');
      return c.json(shown(rule), 200);
    })
    .openapi(routes.delete, async (c) => {
      const { botId, ruleId } = c.req.valid('param');
      if (!(await new RichMenuRepository(c.var.deps.db.kysely).deleteRule(botId, ruleId)))
        throw notFound('rich-menu rule');
      return c.body(null, 204);
    });
}
