import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { cartKindSchema } from '../../crm/cart-kind.ts';
import { friendSubscriptionStatus } from '../../crm/purchase-stats.ts';
import { FriendPurchaseQueries } from '../../db/friend-purchases.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, recordIdSchema } from './params.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;
const subscriptionStatus = z.enum(['active', 'paused', 'cancelled', 'unknown']);

const summarySchema = z
  .object({
    stats: z.object({
      orderCount: z.number().int(),
      totalAmount: z.number(),
      averageAmount: z.number().nullable(),
      firstOrderedAt: z.string().nullable(),
      lastOrderedAt: z.string().nullable(),
      productCodes: z.array(z.string()),
      courseCodes: z.array(z.string()),
    }),
    subscriptionStatus: subscriptionStatus.nullable().openapi({
      description:
        'The liveliest of the subscriptions below (active > paused > cancelled); null: none',
    }),
    subscriptions: z.array(
      z.object({
        connectionId: z.string(),
        cart: cartKindSchema,
        externalId: z.string(),
        customerExternalId: z.string().nullable(),
        status: subscriptionStatus,
        rawStatus: z.string().openapi({ description: "The cart's own value (継続, suspend, ...)" }),
        courseCode: z.string().nullable(),
        nextDeliveryAt: z.string().nullable(),
        deliveries: z.number().int().nullable(),
      }),
    ),
    birthday: z.object({
      date: z.string().nullable(),
      source: z.enum(['form', 'cart']).nullable().openapi({
        description: '`form`: the friend gave it (never overwritten); `cart`: birthday sync (F4.4)',
      }),
    }),
  })
  .openapi('FriendPurchases');

const route = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/friends/{friendId}/purchases',
  summary:
    "A friend's purchase stats, subscriptions and birthday from every linked cart (F4.2–F4.4)",
  security: [{ adminToken: [] }],
  request: { params: botParams.extend({ friendId: recordIdSchema }) },
  responses: {
    200: { description: 'The summary', content: { 'application/json': { schema: summarySchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** The purchase figures beside the chat (F9.2): cancelled orders left out, all carts together. */
export function friendPurchaseRoutes() {
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
    const queries = new FriendPurchaseQueries(db);
    const [stats, subscriptions, birthday] = await Promise.all([
      queries.stats(friendId),
      queries.subscriptions(friendId),
      queries.birthday(friendId),
    ]);
    return c.json(
      {
        stats: {
          ...stats,
          firstOrderedAt: iso(stats.firstOrderedAt),
          lastOrderedAt: iso(stats.lastOrderedAt),
        },
        subscriptionStatus: friendSubscriptionStatus(subscriptions),
        subscriptions: subscriptions.map((s) => ({ ...s, nextDeliveryAt: iso(s.nextDeliveryAt) })),
        birthday,
      },
      200,
    );
  });
}
