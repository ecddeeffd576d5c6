import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { routeCreateSchema, routeUpdateSchema, type FriendAddRoute } from '../../crm/route.ts';
import { RouteRepository } from '../../db/routes.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

const routeSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    friends: z.number().int().openapi({ description: 'Friends who arrived through this route' }),
    createdAt: z.string(),
  })
  .openapi('FriendAddRoute');

const routeParams = botParams.extend({ routeId: recordIdSchema });
const security = [{ adminToken: [] }];

const list = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/routes',
  summary: "List a bot's friend-add routes",
  security,
  request: { params: botParams },
  responses: {
    200: {
      description: 'Routes',
      content: { 'application/json': { schema: z.object({ items: z.array(routeSchema) }) } },
    },
    ...errorResponses(400, 401, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/api/bots/{botId}/routes',
  summary: 'Create a friend-add route (its code goes in the URL or QR code)',
  security,
  request: { params: botParams, body: jsonBody(routeCreateSchema) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: routeSchema } } },
    ...errorResponses(400, 401, 404, 409),
  },
});

const update = createRoute({
  method: 'patch',
  path: '/api/bots/{botId}/routes/{routeId}',
  summary: 'Rename a friend-add route (its code stays: printed QR codes carry it)',
  security,
  request: { params: routeParams, body: jsonBody(routeUpdateSchema) },
  responses: {
    200: { description: 'Updated', content: { 'application/json': { schema: routeSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const present = (route: FriendAddRoute) => ({
  id: route.id,
  code: route.code,
  name: route.name,
  friends: route.friends,
  createdAt: route.createdAt.toISOString(),
});

export function friendAddRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(list, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const routes = await new RouteRepository(c.var.deps.db.kysely).list(botId);
      return c.json({ items: routes.map(present) }, 200);
    })
    .openapi(create, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const input = c.req.valid('json');
      const route = await new RouteRepository(c.var.deps.db.kysely).create(botId, input);
      if (!route) {
        throw new AppError(
          409,
          'conflict',
          `this bot already has a route with code "${input.code}"`,
          [{ field: 'code', message: 'is taken' }],
        );
      }
      return c.json(present(route), 201);
    })
    .openapi(update, async (c) => {
      const { botId, routeId } = c.req.valid('param');
      const route = await new RouteRepository(c.var.deps.db.kysely).rename(
        botId,
        routeId,
        c.req.valid('json').name,
      );
      if (!route) {
        await requireBot(c, botId);
        throw notFound('route');
      }
      return c.json(present(route), 200);
    });
}
