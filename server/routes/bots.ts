import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { botCreateSchema, botIdSchema, botUpdateSchema } from '../../crm/bot.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';

const botSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    channelId: z.string().nullable(),
    liffId: z.string().nullable(),
    loginChannelId: z.string().nullable(),
    accountLinkUrl: z.string().nullable(),
    hasAccountLinkSecret: z.boolean(),
    hasChannelSecret: z.boolean(),
    hasChannelAccessToken: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Bot');

const botParams = z.object({ botId: botIdSchema });

const list = createRoute({
  method: 'get',
  path: '/api/bots',
  summary: 'List bots',
  security: [{ adminToken: [] }],
  responses: {
    200: {
      description: 'Bots',
      content: { 'application/json': { schema: z.object({ items: z.array(botSchema) }) } },
    },
    ...errorResponses(401),
  },
});

const get = createRoute({
  method: 'get',
  path: '/api/bots/{botId}',
  summary: 'Read one bot',
  security: [{ adminToken: [] }],
  request: { params: botParams },
  responses: {
    200: { description: 'The bot', content: { 'application/json': { schema: botSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/api/bots',
  summary: 'Connect a LINE Official Account (channel secret and token are write-only)',
  security: [{ adminToken: [] }],
  request: { body: jsonBody(botCreateSchema) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: botSchema } } },
    ...errorResponses(400, 401, 409),
  },
});

const update = createRoute({
  method: 'patch',
  path: '/api/bots/{botId}',
  summary: 'Change a bot; absent fields stay as they are',
  security: [{ adminToken: [] }],
  request: { params: botParams, body: jsonBody(botUpdateSchema) },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: botSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const present = (bot: { createdAt: Date; updatedAt: Date }) => ({
  ...bot,
  createdAt: bot.createdAt.toISOString(),
  updatedAt: bot.updatedAt.toISOString(),
});

export function botRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(list, async (c) => {
      const bots = await c.var.deps.bots.list();
      return c.json({ items: bots.map((b) => ({ ...b, ...present(b) })) }, 200);
    })
    .openapi(get, async (c) => {
      const bot = await c.var.deps.bots.get(c.req.valid('param').botId);
      if (!bot) throw notFound('bot');
      return c.json({ ...bot, ...present(bot) }, 200);
    })
    .openapi(create, async (c) => {
      const { id, ...input } = c.req.valid('json');
      const bot = await c.var.deps.bots.create(id ?? crypto.randomUUID().slice(0, 8), input);
      if (!bot)
        throw new AppError(409, 'conflict', `a bot with id "${id}" already exists`, [
          { field: 'id', message: 'is taken' },
        ]);
      await c.var.deps.onBotChanged(bot.id);
      return c.json({ ...bot, ...present(bot) }, 201);
    })
    .openapi(update, async (c) => {
      const bot = await c.var.deps.bots.update(c.req.valid('param').botId, c.req.valid('json'));
      if (!bot) throw notFound('bot');
      await c.var.deps.onBotChanged(bot.id);
      return c.json({ ...bot, ...present(bot) }, 200);
    });
}
