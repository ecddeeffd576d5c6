import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { connectorFor } from '../../carts/index.ts';
import { cartKindSchema } from '../../crm/cart-kind.ts';
import { unlinkedReasonText } from '../../crm/link-rules.ts';
import { LinkEngine } from '../../db/links.ts';
import { refreshFriendPurchases } from '../../db/purchase-stats.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses, jsonBody } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

const security = [{ adminToken: [] }];
const friendParams = botParams.extend({ friendId: recordIdSchema });
const externalId = z.string().min(1).max(200);
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const unlinkedSchema = z
  .object({
    friendId: z.string(),
    carts: z.array(
      z.object({
        connectionId: z.string(),
        cart: cartKindSchema,
        reason: z.string(),
        message: z.object({ ja: z.string(), en: z.string() }),
      }),
    ),
  })
  .openapi('UnlinkedFriend');

const linkSchema = z
  .object({
    connectionId: z.string(),
    cart: cartKindSchema,
    customerExternalId: z.string(),
    customerNumber: z.string().nullable(),
    customerName: z.string().nullable(),
    rule: z.enum(['phone', 'email', 'line_id', 'manual']),
    adminUrl: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Link');

const routes = {
  unlinked: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/links/unlinked',
    security,
    summary: 'Friends not linked to any cart customer, and why, per connected cart',
    request: {
      params: botParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    },
    responses: {
      200: json(z.object({ items: z.array(unlinkedSchema) }), 'Unlinked friends, newest first'),
      ...errorResponses(400, 401, 404),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/friends/{friendId}/links',
    security,
    summary: "A friend's cart customers (several carts and records are shown together)",
    request: { params: friendParams },
    responses: {
      200: json(z.object({ items: z.array(linkSchema) }), 'Links'),
      ...errorResponses(400, 401, 404),
    },
  }),
  link: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/friends/{friendId}/links',
    security,
    summary: 'Link a friend to a cart customer by hand (staff)',
    request: {
      params: friendParams,
      body: jsonBody(
        z.strictObject({ connectionId: recordIdSchema, customerExternalId: externalId }),
      ),
    },
    responses: { 201: json(linkSchema, 'Linked'), ...errorResponses(400, 401, 404) },
  }),
  unlink: createRoute({
    method: 'delete',
    path: '/api/bots/{botId}/friends/{friendId}/links/{connectionId}/{customerExternalId}',
    security,
    summary: 'Unlink by hand: automatic rules will not link this pair again',
    request: {
      params: friendParams.extend({ connectionId: recordIdSchema, customerExternalId: externalId }),
    },
    responses: { 204: { description: 'Unlinked' }, ...errorResponses(400, 401, 404) },
  }),
};

export function linkRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.unlinked, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const found = await new LinkEngine(c.var.deps.db.kysely).unlinked(
        botId,
        c.req.valid('query').limit,
      );
      const items = found.map((f) => ({
        friendId: f.friendId,
        carts: f.carts.map((r) => ({
          ...r,
          message: {
            ja: unlinkedReasonText(r.reason, 'ja'),
            en: unlinkedReasonText(r.reason, 'en'),
          },
        })),
      }));
      return c.json({ items }, 200);
    })
    .openapi(routes.list, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      await requireFriend(c.var.deps, botId, friendId);
      return c.json({ items: await linksOf(c.var.deps, friendId) }, 200);
    })
    .openapi(routes.link, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const { connectionId, customerExternalId } = c.req.valid('json');
      await requireFriend(c.var.deps, botId, friendId);
      const { db } = c.var.deps;
      const customer = await db.kysely
        .selectFrom('cart_customers')
        .select('external_id')
        .where('connection_id', '=', connectionId)
        .where('bot_id', '=', botId)
        .where('external_id', '=', customerExternalId)
        .executeTakeFirst();
      if (!customer) {
        throw new AppError(404, 'not_found', 'no such customer in this bot’s connection', [
          { field: 'customerExternalId', message: 'not found in that connection' },
        ]);
      }
      await db.kysely.transaction().execute(async (trx) => {
        await trx
          .insertInto('links')
          .values({
            bot_id: botId,
            friend_id: friendId,
            connection_id: connectionId,
            customer_external_id: customerExternalId,
            rule: 'manual',
          })
          .onConflict((oc) =>
            oc
              .columns(['friend_id', 'connection_id', 'customer_external_id'])
              .doUpdateSet({ suppressed: false }),
          )
          .execute();
        await refreshFriendPurchases(trx, { friendIds: [friendId] });
      });
      const link = (await linksOf(c.var.deps, friendId)).find(
        (l) => l.connectionId === connectionId && l.customerExternalId === customerExternalId,
      )!;
      return c.json(link, 201);
    })
    .openapi(routes.unlink, async (c) => {
      const { botId, friendId, connectionId, customerExternalId } = c.req.valid('param');
      const updated = await c.var.deps.db.kysely.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('links')
          .set({ suppressed: true })
          .where('bot_id', '=', botId)
          .where('friend_id', '=', friendId)
          .where('connection_id', '=', connectionId)
          .where('customer_external_id', '=', customerExternalId)
          .executeTakeFirst();
        // The friend's stats lose this customer's orders with the link (F4.2).
        if (result.numUpdatedRows > 0n)
          await refreshFriendPurchases(trx, { friendIds: [friendId] });
        return result;
      });
      if (updated.numUpdatedRows === 0n) throw notFound('link');
      return c.body(null, 204);
    });
}

type Deps = AppEnv['Variables']['deps'];

async function requireFriend(deps: Deps, botId: string, friendId: string): Promise<void> {
  const row = await deps.db.kysely
    .selectFrom('friends')
    .select('id')
    .where('bot_id', '=', botId)
    .where('id', '=', friendId)
    .executeTakeFirst();
  if (!row) throw notFound('friend');
}

async function linksOf(deps: Deps, friendId: string) {
  const rows = await deps.db.kysely
    .selectFrom('links')
    .innerJoin('connections', 'connections.id', 'links.connection_id')
    .leftJoin('cart_customers', (join) =>
      join
        .onRef('cart_customers.connection_id', '=', 'links.connection_id')
        .onRef('cart_customers.external_id', '=', 'links.customer_external_id'),
    )
    .select([
      'links.connection_id',
      'connections.cart',
      'links.customer_external_id',
      'cart_customers.number',
      'cart_customers.name',
      'links.rule',
      'links.created_at',
    ])
    .where('links.friend_id', '=', friendId)
    .where('links.suppressed', '=', false)
    .orderBy('links.created_at')
    .execute();
  const credentials = new Map<string, unknown>();
  const items = [];
  for (const row of rows) {
    const cart = cartKindSchema.parse(row.cart);
    const connector = connectorFor(cart);
    if (connector && !credentials.has(row.connection_id))
      credentials.set(row.connection_id, await deps.connections.credentials(row.connection_id));
    items.push({
      connectionId: row.connection_id,
      cart,
      customerExternalId: row.customer_external_id,
      customerNumber: row.number ?? null,
      customerName: row.name ?? null,
      rule: row.rule as 'phone' | 'email' | 'line_id' | 'manual',
      adminUrl: connector
        ? connector.customerAdminUrl(credentials.get(row.connection_id), {
            externalId: row.customer_external_id,
            number: row.number,
          })
        : null,
      createdAt: row.created_at.toISOString(),
    });
  }
  return items;
}
