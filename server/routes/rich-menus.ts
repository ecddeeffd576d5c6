import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { LineApiError } from '../../bot/line-port.ts';
import { richMenuNameSchema } from '../../crm/rich-menu.ts';
import { RichMenuRepository } from '../../db/rich-menus.ts';
import { switchRichMenu } from '../../rich-menus/assign.ts';
import { RichMenuError } from '../../rich-menus/errors.ts';
import { richMenus } from '../../rich-menus/index.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

/** Rich menus as code (F7.1): the definitions, what is applied on LINE, reassign and switch. */

const menuSchema = z
  .object({
    // crm's schemas may be built before @hono/zod-openapi extends zod, so they cannot carry
    // .openapi(): the definition is documented as an object (its fields: crm/rich-menu.ts).
    definition: z
      .record(z.string(), z.unknown())
      .openapi({ type: 'object', description: 'A definition from rich-menus/ (see README)' }),
    applied: z
      .object({ richMenuId: z.string(), hash: z.string(), appliedAt: z.string() })
      .nullable()
      .openapi({ description: 'null until `npm run rich-menus -- apply` has put it on LINE' }),
    /** Whether LINE still has the applied menu; null when LINE could not be asked. */
    onLine: z.boolean().nullable(),
  })
  .openapi('RichMenu');
const listSchema = z.object({
  items: z.array(menuSchema),
  line: z
    .object({ defaultRichMenuId: z.string().nullable(), aliases: z.record(z.string(), z.string()) })
    .nullable()
    .openapi({ description: "LINE's default menu and aliases; null when LINE could not be asked" }),
  lastPass: z
    .object({
      ranAt: z.string(),
      linked: z.number().int(),
      unlinked: z.number().int(),
      calls: z.number().int(),
      durationMs: z.number().int(),
      error: z.string().nullable(),
    })
    .nullable(),
});
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ adminToken: [] }];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/rich-menus',
    summary: 'The rich-menu definitions with their live state on LINE and the last reassign pass',
    security,
    request: { params: botParams },
    responses: {
      200: { description: 'Menus', ...json(listSchema) },
      ...errorResponses(400, 401, 404),
    },
  }),
  reassign: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/rich-menus/reassign',
    summary: "Re-evaluate every friend's menu now (runs as a job)",
    security,
    request: { params: botParams },
    responses: {
      202: { description: 'Queued', ...json(z.object({ queued: z.boolean() })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  switch: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/friends/{friendId}/rich-menu',
    summary: 'Link one friend to a menu at once (the next reassign may move them by the rules)',
    security,
    request: {
      params: botParams.extend({ friendId: recordIdSchema }),
      body: jsonBody(z.object({ menu: richMenuNameSchema })),
    },
    responses: {
      200: { description: 'Linked', ...json(z.object({ richMenuId: z.string() })) },
      ...errorResponses(400, 401, 404, 502),
    },
  }),
};

export function richMenuRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const db = c.var.deps.db.kysely;
      const applied = new Map(
        (await new RichMenuRepository(db).applied(botId)).map((a) => [a.name, a]),
      );
      const live = await liveState(c.var.deps, botId);
      const pass = await db
        .selectFrom('rich_menu_passes')
        .selectAll()
        .where('bot_id', '=', botId)
        .executeTakeFirst();
      const items = richMenus.map((definition) => {
        const a = applied.get(definition.name);
        return {
          definition,
          applied: a
            ? { richMenuId: a.richMenuId, hash: a.hash, appliedAt: a.appliedAt.toISOString() }
            : null,
          onLine: live && a ? live.ids.has(a.richMenuId) : null,
        };
      });
      return c.json(
        {
          items,
          line: live ? { defaultRichMenuId: live.defaultRichMenuId, aliases: live.aliases } : null,
          lastPass: pass
            ? {
                ranAt: pass.ran_at.toISOString(),
                linked: pass.linked,
                unlinked: pass.unlinked,
                calls: pass.calls,
                durationMs: pass.duration_ms,
                error: pass.error,
              }
            : null,
        },
        200,
      );
    })
    .openapi(routes.reassign, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      await c.var.deps.enqueueRichMenuReassign(botId);
      return c.json({ queued: true }, 202);
    })
    .openapi(routes.switch, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const { menu } = c.req.valid('json');
      const db = c.var.deps.db.kysely;
      const friend = await db
        .selectFrom('friends')
        .select('id')
        .where('bot_id', '=', botId)
        .where('id', '=', friendId)
        .executeTakeFirst();
      if (!friend) throw notFound('friend');
      try {
        const line = await c.var.deps.lineFor(botId);
        return c.json({ richMenuId: await switchRichMenu(db, line, botId, friendId, menu) }, 200);
      } catch (error) {
        if (error instanceof RichMenuError && error.code === 'invalid_definition')
          throw new AppError(400, 'invalid_request', `menu: ${error.message}`, [
            { field: 'menu', message: error.message },
          ]);
        if (error instanceof RichMenuError || error instanceof LineApiError)
          throw new AppError(502, 'line_error', error.message);
        throw error;
      }
    });
}

/** LINE's menus, default and aliases; undefined when LINE cannot be asked (no token, down). */
async function liveState(deps: AppEnv['Variables']['deps'], botId: string) {
  try {
    const line = await deps.lineFor(botId);
    const [menus, aliases, defaultRichMenuId] = await Promise.all([
      line.listRichMenus(),
      line.listRichMenuAliases(),
      line.getDefaultRichMenuId(),
    ]);
    return {
      ids: new Set(menus.map((m) => m.richMenuId)),
      aliases: Object.fromEntries(aliases.map((a) => [a.richMenuAliasId, a.richMenuId])),
      defaultRichMenuId: defaultRichMenuId ?? null,
    };
  } catch (error) {
    if (error instanceof LineApiError) return undefined;
    throw error;
  }
}
