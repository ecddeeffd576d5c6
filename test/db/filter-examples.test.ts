import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../crm/filter.ts';
import { countFriends, selectFriendIds } from '../../db/filter-sql.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { HOSTILE, worldOf, writeWorld, type GenFriend } from '../helpers/segments.ts';

/** One readable example per F5.2 condition, over four friends: Aoi, Ben, Chika, Dai. */

const w = worldOf('examples');
const [VIP, BUYER, HOSTILE_TAG] = w.tagIds;
const [SHOPIFY, ECFORCE] = w.connectionIds;
const at = (iso: string) => new Date(iso);
const none: Omit<GenFriend, 'source'> = {
  route: null,
  firstFollowedAt: null,
  lastFollowedAt: null,
  blockedAt: null,
  birthday: null,
  tags: [],
  customers: [],
};
const order = (orderedAt: string, totalAmount: number, productCode: string, extra = {}) => ({
  orderedAt: at(orderedAt),
  totalAmount,
  cancelled: false,
  items: [{ productCode, courseCode: null }],
  subscriptionSequence: null,
  ...extra,
});

const friends: GenFriend[] = [
  // Aoi: a VIP buyer on Shopify, following since New Year's Eve (JST), born 12-25, route r0.
  {
    ...none,
    source: 'follow',
    route: 0,
    firstFollowedAt: at('2025-12-31T15:30:00Z'), // 2026-01-01 00:30 in Tokyo
    lastFollowedAt: at('2025-12-31T15:30:00Z'),
    birthday: '1990-12-25',
    tags: [0, 1],
    customers: [
      {
        conn: 0,
        suppressed: false,
        customData: { rank: 'gold', points: 120, [HOSTILE]: HOSTILE },
        orders: [
          order('2026-01-05T01:00:00Z', 5000, 'P1'),
          order('2026-02-05T01:00:00Z', 3000, 'P2', {
            items: [{ productCode: 'P2', courseCode: 'C1' }],
            subscriptionSequence: 2,
          }),
        ],
        subscriptions: [{ status: 'active', courseCode: 'C1' }],
      },
    ],
  },
  // Ben: blocked, linked on ecforce with one cancelled order, born 01-05, tagged with the hostile tag.
  {
    ...none,
    source: 'follow',
    firstFollowedAt: at('2026-01-10T00:00:00Z'),
    lastFollowedAt: at('2026-01-10T00:00:00Z'),
    blockedAt: at('2026-01-11T00:00:00Z'),
    birthday: '1985-01-05',
    tags: [2],
    customers: [
      {
        conn: 1,
        suppressed: false,
        customData: { rank: 'silver', points: '10' },
        orders: [{ ...order('2026-01-06T00:00:00Z', 9000, 'P1'), cancelled: true }],
        subscriptions: [{ status: 'cancelled', courseCode: 'C1' }],
      },
    ],
  },
  // Chika: imported follower, a link staff removed (so unlinked), route r1.
  {
    ...none,
    source: 'import',
    route: 1,
    birthday: '2000-06-30',
    customers: [
      {
        conn: 0,
        suppressed: true,
        customData: { rank: 'gold' },
        orders: [order('2026-01-05T00:00:00Z', 100, 'P1')],
        subscriptions: [],
      },
    ],
  },
  // Dai: known only from a message; nothing else.
  { ...none, source: 'message' },
];
const [AOI, BEN, CHIKA, DAI] = friends.map((_, i) => `examples-f${i}`);

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await writeWorld(t.db, w, friends);
});
afterAll(() => t.close());

const select = (filter: Filter) => selectFriendIds(t.db.kysely, w.botId, filter);
const sorted = (...ids: (string | undefined)[]) => ids.map(String).sort();

describe('filter conditions (F5.2), by example', () => {
  it('tags: all, any, none (hostile tag ids are just ids)', async () => {
    expect(await select({ kind: 'tags', match: 'all', tagIds: [VIP!, BUYER!] })).toEqual([AOI]);
    expect(await select({ kind: 'tags', match: 'any', tagIds: [VIP!, HOSTILE_TAG!] })).toEqual(
      sorted(AOI, BEN),
    );
    expect(await select({ kind: 'tags', match: 'none', tagIds: [VIP!] })).toEqual(
      sorted(BEN, CHIKA, DAI),
    );
  });

  it('linked / unlinked, optionally per cart; a link staff removed does not count', async () => {
    expect(await select({ kind: 'linked', linked: true })).toEqual(sorted(AOI, BEN));
    expect(await select({ kind: 'linked', linked: true, connectionId: ECFORCE! })).toEqual([BEN]);
    expect(await select({ kind: 'linked', linked: false })).toEqual(sorted(CHIKA, DAI));
    expect(await select({ kind: 'linked', linked: false, connectionId: SHOPIFY! })).toEqual(
      sorted(BEN, CHIKA, DAI),
    );
  });

  it('friend-add date range: days in shop time', async () => {
    const jan1 = { from: '2026-01-01', to: '2026-01-01' };
    expect(await select({ kind: 'friendAdded', range: jan1 })).toEqual([AOI]);
    expect(
      await select({ kind: 'friendAdded', range: { from: '2025-12-31', to: '2025-12-31' } }),
    ).toEqual([]);
  });

  it('follow status', async () => {
    expect(await select({ kind: 'follow', statuses: ['following'] })).toEqual(sorted(AOI, CHIKA));
    expect(await select({ kind: 'follow', statuses: ['blocked', 'unknown'] })).toEqual(
      sorted(BEN, DAI),
    );
  });

  it('purchased: a product or course, optionally within days; cancelled orders never count', async () => {
    expect(await select({ kind: 'purchased', productCodes: ['P1'] })).toEqual([AOI]);
    expect(await select({ kind: 'purchased', courseCodes: ['C1'] })).toEqual([AOI]);
    const january = { from: '2026-01-01', to: '2026-01-31' };
    expect(await select({ kind: 'purchased', productCodes: ['P2'], range: january })).toEqual([]);
    expect(await select({ kind: 'purchased', productCodes: ['P1'], range: january })).toEqual([
      AOI,
    ]);
  });

  it('purchase count, total and average amount', async () => {
    const stat = (s: 'orderCount' | 'totalAmount' | 'averageAmount', op: 'gte' | 'lt', v: number) =>
      select({ kind: 'purchaseStat', stat: s, op, value: v });
    expect(await stat('orderCount', 'gte', 2)).toEqual([AOI]);
    expect(await stat('orderCount', 'lt', 1)).toEqual(sorted(BEN, CHIKA, DAI));
    expect(await stat('totalAmount', 'gte', 8000)).toEqual([AOI]);
    expect(await stat('averageAmount', 'gte', 4000)).toEqual([AOI]);
    expect(await stat('averageAmount', 'lt', 4001)).toEqual([AOI]); // no orders: no average
  });

  it('subscription status (of a course) and nth delivery', async () => {
    expect(await select({ kind: 'subscription', statuses: ['active'] })).toEqual([AOI]);
    expect(
      await select({ kind: 'subscription', statuses: ['cancelled'], courseCodes: ['C1'] }),
    ).toEqual([BEN]);
    expect(await select({ kind: 'subscriptionDelivery', op: 'eq', value: 2 })).toEqual([AOI]);
    expect(await select({ kind: 'subscriptionDelivery', op: 'gte', value: 3 })).toEqual([]);
  });

  it('birthday range without a year, wrapping the new year', async () => {
    expect(await select({ kind: 'birthday', from: '12-20', to: '01-10' })).toEqual(
      sorted(AOI, BEN),
    );
    expect(await select({ kind: 'birthday', from: '06-01', to: '06-30' })).toEqual([CHIKA]);
  });

  it('custom data: equal, contains, numeric comparison (numbers written as text too), present', async () => {
    expect(await select({ kind: 'customData', key: 'rank', op: 'eq', value: 'gold' })).toEqual([
      AOI,
    ]);
    expect(await select({ kind: 'customData', key: 'rank', op: 'contains', value: 'il' })).toEqual([
      BEN,
    ]);
    expect(await select({ kind: 'customData', key: 'points', op: 'gte', value: 10 })).toEqual(
      sorted(AOI, BEN),
    );
    expect(await select({ kind: 'customData', key: HOSTILE, op: 'eq', value: HOSTILE })).toEqual([
      AOI,
    ]);
    expect(await select({ kind: 'customData', key: 'points', op: 'exists' })).toEqual(
      sorted(AOI, BEN),
    );
  });

  it('friend-add route', async () => {
    expect(await select({ kind: 'route', routeIds: [w.routeIds[1]!] })).toEqual([CHIKA]);
  });

  it('and / or / not combine them, and a count agrees with the list', async () => {
    const filter: Filter = {
      kind: 'or',
      filters: [
        {
          kind: 'and',
          filters: [
            { kind: 'linked', linked: true },
            { kind: 'follow', statuses: ['following'] },
          ],
        },
        { kind: 'not', filter: { kind: 'follow', statuses: ['following', 'blocked'] } },
      ],
    };
    expect(await select(filter)).toEqual(sorted(AOI, DAI));
    expect(await countFriends(t.db.kysely, w.botId, filter)).toBe(2);
    const { rows } = await t.db.kysely
      .selectFrom('friends')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .execute()
      .then((r) => ({ rows: r }));
    expect(Number(rows[0]!.n)).toBe(4); // the hostile strings dropped nothing
  });
});
