import fc from 'fast-check';
import type { FriendSnapshot } from '../../crm/filter-eval.ts';
import type { Filter } from '../../crm/filter.ts';
import type { Db } from '../../db/index.ts';
import { refreshFriendPurchases } from '../../db/purchase-stats.ts';

/**
 * Random friends with everything filters look at, written to the database and kept as the
 * in-memory snapshots the evaluator reads; and random filters over the same small pools of ids,
 * codes and keys (hostile strings among them), so conditions hit as often as they miss.
 */

export const HOSTILE = `'; drop table friends; --`;
export const TAG_NAMES = ['VIP', '購入者', HOSTILE, 'a"b\\c'];
export const PRODUCTS = ['P1', 'P2', HOSTILE, '%_'];
export const COURSES = ['C1', 'C2', HOSTILE];
export const KEYS = ['rank', 'points', HOSTILE, 'a.b'];
export const DAYS = Array.from({ length: 13 }, (_, i) =>
  new Date(Date.UTC(2025, 11, 31 + i)).toISOString().slice(0, 10),
);
export const MONTH_DAYS = ['01-01', '02-28', '02-29', '03-15', '06-30', '07-01', '12-20', '12-31'];

export interface World {
  botId: string;
  tagIds: string[];
  connectionIds: string[];
  routeIds: string[];
}

export const worldOf = (botId: string): World => ({
  botId,
  tagIds: TAG_NAMES.map((n) => `${botId}:${n}`),
  connectionIds: [`${botId}-k0`, `${botId}-${HOSTILE}`],
  routeIds: [`${botId}-r0`, `${botId}-r1'--`],
});

const instant = fc.date({
  min: new Date('2025-12-30T10:00:00Z'),
  max: new Date('2026-01-12T00:00:00Z'),
  noInvalidDate: true,
});
const customValue = fc.oneof(
  fc.constantFrom('gold', 'silver', '10', '2.5', '-3', 'abc', HOSTILE, ''),
  fc.integer({ min: -5, max: 20 }),
  fc.boolean(),
  fc.constant(null),
);
const order = fc.record({
  orderedAt: instant,
  totalAmount: fc.integer({ min: 0, max: 20_000 }),
  cancelled: fc.nat(9).map((n) => n < 3),
  items: fc.array(
    fc.record({
      productCode: fc.constantFrom(...PRODUCTS, 'P9'),
      courseCode: fc.option(fc.constantFrom(...COURSES), { nil: null }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  subscriptionSequence: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
});
const genCustomer = fc.record({
  conn: fc.integer({ min: 0, max: 1 }),
  suppressed: fc.nat(9).map((n) => n < 2),
  customData: fc.option(fc.dictionary(fc.constantFrom(...KEYS), customValue, { maxKeys: 3 }), {
    nil: null,
  }),
  orders: fc.array(order, { maxLength: 3 }),
  subscriptions: fc.array(
    fc.record({
      status: fc.constantFrom('active', 'paused', 'cancelled', 'unknown'),
      courseCode: fc.option(fc.constantFrom(...COURSES), { nil: null }),
    }),
    { maxLength: 2 },
  ),
});
const genFriend = fc.record({
  route: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }),
  firstFollowedAt: fc.option(instant, { nil: null }),
  lastFollowedAt: fc.option(instant, { nil: null }),
  blockedAt: fc.option(instant, { nil: null }),
  source: fc.constantFrom('follow', 'import', 'message'),
  birthday: fc.option(
    fc
      .tuple(fc.constantFrom(1980, 2000), fc.constantFrom(...MONTH_DAYS, '05-05', '12-25'))
      .map(([y, md]) => `${y}-${md}`),
    { nil: null },
  ),
  tags: fc.subarray([0, 1, 2, 3]),
  customers: fc.array(genCustomer, { maxLength: 2 }),
});
export type GenFriend = typeof genFriend extends fc.Arbitrary<infer T> ? T : never;
export const friendsArb = fc.array(genFriend, { minLength: 1, maxLength: 25 });

/** Replaces the bot and all its data with these friends; returns their snapshots. */
export async function writeWorld(
  db: Db,
  w: World,
  friends: GenFriend[],
): Promise<FriendSnapshot[]> {
  const k = db.kysely;
  await k.deleteFrom('bots').where('id', '=', w.botId).execute();
  await k.insertInto('bots').values({ id: w.botId, name: w.botId }).execute();
  await k
    .insertInto('connections')
    .values(
      w.connectionIds.map((id, i) => ({
        id,
        bot_id: w.botId,
        cart: i === 0 ? 'shopify' : 'ecforce',
        name: id,
        credentials_sealed: 'x',
      })),
    )
    .execute();
  await k
    .insertInto('routes')
    .values(w.routeIds.map((id, i) => ({ id, bot_id: w.botId, code: `r${i}`, name: id })))
    .execute();
  await k
    .insertInto('tags')
    .values(w.tagIds.map((id, i) => ({ id, bot_id: w.botId, name: TAG_NAMES[i]! })))
    .execute();
  const snapshots: FriendSnapshot[] = [];
  const friendRows = [];
  const tagRows = [];
  const customerRows = [];
  const linkRows = [];
  const orderRows = [];
  const subscriptionRows = [];
  for (const [i, g] of friends.entries()) {
    const id = `${w.botId}-f${i}`;
    friendRows.push({
      id,
      bot_id: w.botId,
      line_user_id: `U${i}`,
      route_id: g.route === null ? null : w.routeIds[g.route]!,
      first_followed_at: g.firstFollowedAt,
      last_followed_at: g.lastFollowedAt,
      blocked_at: g.blockedAt,
      source: g.source,
      birthday: g.birthday,
    });
    for (const t of g.tags)
      tagRows.push({ friend_id: id, tag_id: w.tagIds[t]!, bot_id: w.botId, source: 'staff' });
    const snapshot: FriendSnapshot = {
      id,
      routeId: g.route === null ? null : w.routeIds[g.route]!,
      firstFollowedAt: g.firstFollowedAt,
      lastFollowedAt: g.lastFollowedAt,
      blockedAt: g.blockedAt,
      source: g.source,
      birthday: g.birthday,
      tagIds: g.tags.map((t) => w.tagIds[t]!),
      customers: [],
    };
    for (const [j, c] of g.customers.entries()) {
      const connectionId = w.connectionIds[c.conn]!;
      const externalId = `${id}-c${j}`;
      customerRows.push({
        connection_id: connectionId,
        external_id: externalId,
        bot_id: w.botId,
        custom_data: c.customData && JSON.stringify(c.customData),
        updated_at_cart: new Date(),
      });
      linkRows.push({
        bot_id: w.botId,
        friend_id: id,
        connection_id: connectionId,
        customer_external_id: externalId,
        rule: 'manual',
        suppressed: c.suppressed,
      });
      for (const [n, o] of c.orders.entries())
        orderRows.push({
          connection_id: connectionId,
          external_id: `${externalId}-o${n}`,
          bot_id: w.botId,
          customer_external_id: externalId,
          ordered_at: o.orderedAt,
          total_amount: o.totalAmount,
          currency: 'JPY',
          cancelled: o.cancelled,
          items: JSON.stringify(o.items),
          subscription_sequence: o.subscriptionSequence,
          updated_at_cart: new Date(),
        });
      for (const [n, s] of c.subscriptions.entries())
        subscriptionRows.push({
          connection_id: connectionId,
          external_id: `${externalId}-s${n}`,
          bot_id: w.botId,
          customer_external_id: externalId,
          raw_status: s.status,
          status: s.status,
          course_code: s.courseCode,
          updated_at_cart: new Date(),
        });
      if (!c.suppressed) snapshot.customers.push({ connectionId, ...c });
    }
    snapshots.push(snapshot);
  }
  await k.insertInto('friends').values(friendRows).execute();
  if (tagRows.length) await k.insertInto('friend_tags').values(tagRows).execute();
  if (customerRows.length) await k.insertInto('cart_customers').values(customerRows).execute();
  if (linkRows.length) await k.insertInto('links').values(linkRows).execute();
  if (orderRows.length) await k.insertInto('cart_orders').values(orderRows).execute();
  if (subscriptionRows.length)
    await k.insertInto('cart_subscriptions').values(subscriptionRows).execute();
  await refreshFriendPurchases(k, { botId: w.botId });
  return snapshots;
}

const ordered = <T extends string>(a: T, b: T): [T, T] => (a <= b ? [a, b] : [b, a]);
const dayRange = fc.tuple(fc.constantFrom(...DAYS), fc.constantFrom(...DAYS)).map(([a, b]) => {
  const [from, to] = ordered(a, b);
  return { from, to };
});
const comparison = fc.constantFrom('eq', 'gt', 'gte', 'lt', 'lte') as fc.Arbitrary<
  'eq' | 'gt' | 'gte' | 'lt' | 'lte'
>;

/** Random conditions over a world's pools. */
export function conditionArb(w: World): fc.Arbitrary<Filter> {
  const someOf = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });
  return fc.oneof(
    fc.record({
      kind: fc.constant('tags' as const),
      match: fc.constantFrom('all' as const, 'any' as const, 'none' as const),
      tagIds: someOf(w.tagIds),
    }),
    fc.record(
      {
        kind: fc.constant('linked' as const),
        linked: fc.boolean(),
        connectionId: fc.constantFrom(...w.connectionIds),
      },
      { requiredKeys: ['kind', 'linked'] },
    ),
    fc.record({ kind: fc.constant('friendAdded' as const), range: dayRange }),
    fc.record({
      kind: fc.constant('follow' as const),
      statuses: someOf(['following', 'blocked', 'unknown'] as (
        'following' | 'blocked' | 'unknown'
      )[]),
    }),
    fc
      .record(
        {
          kind: fc.constant('purchased' as const),
          productCodes: fc.subarray(PRODUCTS),
          courseCodes: fc.subarray(COURSES),
          range: dayRange,
        },
        { requiredKeys: ['kind'] },
      )
      .filter((c) => (c.productCodes?.length ?? 0) + (c.courseCodes?.length ?? 0) > 0),
    fc
      .record({
        kind: fc.constant('purchaseStat' as const),
        stat: fc.constantFrom(
          'orderCount' as const,
          'totalAmount' as const,
          'averageAmount' as const,
        ),
        op: comparison,
        value: fc.constantFrom(0, 1, 2, 3, 5000, 10_000, 15_000, 2500.5),
      })
      .map((c) => (c.stat === 'orderCount' ? { ...c, value: Math.floor(c.value) } : c)),
    fc.record(
      {
        kind: fc.constant('subscription' as const),
        statuses: someOf(['active', 'paused', 'cancelled', 'unknown'] as (
          'active' | 'paused' | 'cancelled' | 'unknown'
        )[]),
        courseCodes: someOf(COURSES),
      },
      { requiredKeys: ['kind', 'statuses'] },
    ),
    fc.record({
      kind: fc.constant('subscriptionDelivery' as const),
      op: comparison,
      value: fc.integer({ min: 0, max: 5 }),
    }),
    fc.record({
      kind: fc.constant('birthday' as const),
      from: fc.constantFrom(...MONTH_DAYS),
      to: fc.constantFrom(...MONTH_DAYS),
    }),
    fc.oneof(
      fc.record({
        kind: fc.constant('customData' as const),
        key: fc.constantFrom(...KEYS),
        op: fc.constant('exists' as const),
      }),
      fc.record({
        kind: fc.constant('customData' as const),
        key: fc.constantFrom(...KEYS),
        op: fc.constant('eq' as const),
        value: customValue.filter((v) => v !== null) as fc.Arbitrary<string | number | boolean>,
      }),
      fc.record({
        kind: fc.constant('customData' as const),
        key: fc.constantFrom(...KEYS),
        op: fc.constant('contains' as const),
        value: fc.constantFrom('o', '1', HOSTILE, "'"),
      }),
      fc.record({
        kind: fc.constant('customData' as const),
        key: fc.constantFrom(...KEYS),
        op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
        value: fc.constantFrom(-3, 0, 2.5, 10),
      }),
    ),
    fc.record({ kind: fc.constant('route' as const), routeIds: someOf(w.routeIds) }),
  );
}

/** Random and/or/not trees of conditions, at most three levels deep. */
export function filterArb(w: World): fc.Arbitrary<Filter> {
  const leaf = conditionArb(w);
  const { node } = fc.letrec<{ node: Filter }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'filter' },
      leaf,
      fc.record({
        kind: fc.constant('and' as const),
        filters: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        kind: fc.constant('or' as const),
        filters: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
    ),
  }));
  return node;
}
