import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { cartKindSchema } from '../../crm/cart-kind.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, recordIdSchema } from './params.ts';

const orderSchema = z
  .object({
    connectionId: z.string(),
    cart: cartKindSchema,
    externalId: z.string(),
    number: z.string().nullable(),
    orderedAt: z.string(),
    totalAmount: z.number(),
    currency: z.string(),
    status: z.string().nullable(),
    cancelled: z.boolean(),
    items: z.array(
      z
        .object({
          productCode: z.string(),
          name: z.string(),
          quantity: z.number(),
          unitPrice: z.number(),
        })
        .loose(),
    ),
    shippedAt: z.string().nullable(),
    requestedDeliveryDate: z.string().nullable(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
  })
  .openapi('FriendOrder');

const route = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/friends/{friendId}/orders',
  summary: "A friend's orders from every linked cart customer, newest first",
  security: [{ adminToken: [] }],
  request: {
    params: botParams.extend({ friendId: recordIdSchema }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
  },
  responses: {
    200: {
      description: 'Orders',
      content: { 'application/json': { schema: z.object({ items: z.array(orderSchema) }) } },
    },
    ...errorResponses(400, 401, 404),
  },
});

/** The purchase side of the 1:1 chat (F9.2): all carts and customer records of the friend together. */
export function friendOrderRoutes() {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { botId, friendId } = c.req.valid('param');
    const db = c.var.deps.db.kysely;
    const friend = await db
      .selectFrom('friends')
      .select('id')
      .where('bot_id', '=', botId)
      .where('id', '=', friendId)
      .executeTakeFirst();
    if (!friend) throw notFound('friend');
    const rows = await db
      .selectFrom('links')
      .innerJoin('cart_orders as o', (join) =>
        join
          .onRef('o.connection_id', '=', 'links.connection_id')
          .onRef('o.customer_external_id', '=', 'links.customer_external_id'),
      )
      .innerJoin('connections', 'connections.id', 'links.connection_id')
      .selectAll('o')
      .select('connections.cart')
      .where('links.friend_id', '=', friendId)
      .where('links.suppressed', '=', false)
      .orderBy('o.ordered_at', 'desc')
      .orderBy('o.external_id')
      .limit(c.req.valid('query').limit)
      .execute();
    const items = rows.map((o) => ({
      connectionId: o.connection_id,
      cart: cartKindSchema.parse(o.cart),
      externalId: o.external_id,
      number: o.number,
      orderedAt: o.ordered_at.toISOString(),
      totalAmount: Number(o.total_amount),
      currency: o.currency,
      status: o.status,
      cancelled: o.cancelled,
      items: o.items as Array<{
        productCode: string;
        name: string;
        quantity: number;
        unitPrice: number;
      }>,
      shippedAt: o.shipped_at?.toISOString() ?? null,
      requestedDeliveryDate: o.requested_delivery_date,
      carrier: o.carrier,
      trackingNumber: o.tracking_number,
    }));
    return c.json({ items }, 200);
  });
}
