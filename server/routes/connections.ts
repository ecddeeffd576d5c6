import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { CartError } from '../../carts/connector.ts';
import { connectorFor, supportedCarts } from '../../carts/index.ts';
import { cartSyncsBirthday } from '../../crm/birthday-sync.ts';
import { cartKindSchema } from '../../crm/cart-kind.ts';
import type { Connection } from '../../db/connections.ts';
import type { AppEnv } from '../app.ts';
import { AppError, invalidRequest, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

const connectionSchema = z
  .object({
    id: z.string(),
    cart: cartKindSchema,
    name: z.string(),
    status: z.enum(['connected', 'syncing', 'error', 'disconnected']),
    lastError: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    birthdaySync: z.boolean(),
    createdAt: z.string(),
    warnings: z
      .array(
        z.object({
          code: z.literal('store_shared'),
          message: z.string(),
          botIds: z.array(z.string()),
        }),
      )
      .openapi({ description: 'Allowed, but worth knowing (F3.3: the same store on two bots)' }),
  })
  .openapi('Connection');

const createBody = z
  .strictObject({
    cart: cartKindSchema,
    name: z.string().trim().min(1).max(100).optional(),
    /** The cart's credential fields (see each cart in the README); write-only. */
    credentials: z.record(z.string(), z.string()),
    /** Points the connector at another server speaking the cart's API (staging, demos, tests). */
    baseUrl: z.url().optional(),
    /** F4.4: the cart's birthdays fill friends' (carts that keep one: ecforce, リピスト, ...). */
    birthdaySync: z.boolean().optional(),
  })
  .openapi('ConnectionCreate');

const runSchema = z
  .object({
    id: z.string(),
    resource: z.string(),
    state: z.string(),
    imported: z.number().int(),
    skipped: z.number().int(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('SyncRun');

const connectionParams = botParams.extend({ connectionId: recordIdSchema });
const security = [{ adminToken: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/connections',
    summary: 'Cart connections of a bot',
    security,
    request: { params: botParams },
    responses: {
      200: json(z.object({ items: z.array(connectionSchema) }), 'Connections'),
      ...errorResponses(400, 401, 404),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/connections',
    summary:
      'Connect a cart: the credentials are checked against the cart before anything is saved',
    security,
    request: { params: botParams, body: jsonBody(createBody) },
    responses: {
      201: json(connectionSchema, 'Connected; the first import has started'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/connections/{connectionId}',
    summary: 'One connection and its status',
    security,
    request: { params: connectionParams },
    responses: { 200: json(connectionSchema, 'The connection'), ...errorResponses(400, 401, 404) },
  }),
  sync: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/connections/{connectionId}/sync',
    summary: 'Sync now',
    security,
    request: { params: connectionParams },
    responses: {
      202: json(z.object({ queued: z.array(z.string()) }), 'Imports queued'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  runs: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/connections/{connectionId}/runs',
    summary: 'Recent sync runs',
    security,
    request: { params: connectionParams },
    responses: {
      200: json(z.object({ items: z.array(runSchema) }), 'Runs, newest first'),
      ...errorResponses(400, 401, 404),
    },
  }),
  disconnect: createRoute({
    method: 'delete',
    path: '/api/bots/{botId}/connections/{connectionId}',
    summary: 'Disconnect: no more syncs; imported data stays',
    security,
    request: { params: connectionParams },
    responses: { 200: json(connectionSchema, 'Disconnected'), ...errorResponses(400, 401, 404) },
  }),
};

const present = (c: Connection) => ({
  id: c.id,
  cart: c.cart,
  name: c.name,
  status: c.status,
  lastError: c.lastError,
  lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
  birthdaySync: c.birthdaySync,
  createdAt: c.createdAt.toISOString(),
  warnings:
    c.sharedWith.length > 0
      ? [
          {
            code: 'store_shared' as const,
            message:
              `this store is also connected to ${c.sharedWith.join(', ')}: each bot imports the same ` +
              'customers, and they share the cart’s API limits, so syncs may slow each other down',
            botIds: c.sharedWith,
          },
        ]
      : [],
});

export function connectionRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      return c.json({ items: (await c.var.deps.connections.list(botId)).map(present) }, 200);
    })
    .openapi(routes.create, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const body = c.req.valid('json');
      const connector = connectorFor(body.cart);
      if (!connector) {
        throw new AppError(
          400,
          'cart_not_supported',
          `${body.cart} cannot be connected yet; supported: ${supportedCarts().join(', ')}`,
          [{ field: 'cart', message: 'is not supported yet' }],
        );
      }
      if (body.birthdaySync && !cartSyncsBirthday(body.cart)) {
        throw new AppError(400, 'invalid_request', `${body.cart} birthdays are not synced`, [
          { field: 'birthdaySync', message: 'this cart does not sync birthdays' },
        ]);
      }
      const credentials = connector.credentials.safeParse(body.credentials);
      if (!credentials.success) throw invalidRequest(credentials.error, 'credentials');
      const { deps } = c.var;
      try {
        await connector.verify({
          credentials: credentials.data,
          baseUrl: body.baseUrl,
          fetch: deps.fetch,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          now: () => new Date(),
        });
      } catch (error) {
        if (!(error instanceof CartError)) throw error;
        const field = error.field ? `credentials.${error.field}` : 'credentials';
        throw new AppError(
          400,
          `cart_${error.kind}`,
          `the cart refused the connection: ${error.message}`,
          [{ field, message: error.message }],
        );
      }
      const connection = await deps.connections.create({
        botId,
        cart: body.cart,
        name: body.name ?? body.cart,
        credentials: credentials.data as object,
        baseUrl: body.baseUrl ?? null,
        birthdaySync: body.birthdaySync ?? false,
        storeKey: connector.storeKey?.(credentials.data) ?? null,
      });
      if (!connection) {
        throw new AppError(
          409,
          'conflict',
          `this bot is already connected to ${body.cart}; disconnect it first`,
          [{ field: 'cart', message: 'is already connected' }],
        );
      }
      await deps.enqueueImports(connection.id, [
        'customers',
        'orders',
        'subscriptions',
        'products',
      ]);
      return c.json(present(connection), 201);
    })
    .openapi(routes.get, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      return c.json(present(connection), 200);
    })
    .openapi(routes.sync, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      if (connection.disconnectedAt)
        throw new AppError(409, 'disconnected', 'this connection is disconnected');
      const queued = ['customers', 'orders', 'subscriptions', 'products'] as const;
      await c.var.deps.enqueueImports(connection.id, [...queued]);
      return c.json({ queued: [...queued] }, 202);
    })
    .openapi(routes.runs, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      const rows = await c.var.deps.db.kysely
        .selectFrom('sync_runs')
        .selectAll()
        .where('connection_id', '=', connection.id)
        .orderBy('started_at', 'desc')
        .limit(50)
        .execute();
      const items = rows.map((r) => ({
        id: r.id,
        resource: r.resource,
        state: r.state,
        imported: r.imported,
        skipped: r.skipped,
        error: r.error,
        startedAt: r.started_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null,
      }));
      return c.json({ items }, 200);
    })
    .openapi(routes.disconnect, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      await c.var.deps.connections.disconnect(connection.id);
      return c.json(present((await c.var.deps.connections.get(connection.id))!), 200);
    });
}

/** The connection, if it belongs to the bot in the path; 404 otherwise (no peeking across bots). */
export async function ownedConnection(
  deps: AppEnv['Variables']['deps'],
  params: { botId: string; connectionId: string },
): Promise<Connection> {
  const connection = await deps.connections.get(params.connectionId);
  if (!connection || connection.botId !== params.botId) throw notFound('connection');
  return connection;
}
