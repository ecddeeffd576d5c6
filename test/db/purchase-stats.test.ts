import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartDataRepository } from '../../db/cart-data.ts';
import type { Connection } from '../../db/connections.ts';
import { refreshFriendPurchases } from '../../db/purchase-stats.ts';
import { applyWebhookChanges, importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { customer, insertFriend, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { importHarness, memoryCart } from '../helpers/memory-cart.ts';

let t: TestDb;
let deps: ImportDeps;
let connect: Awaited<ReturnType<typeof importHarness>>['connect'];
const BOT = 'shop';

beforeAll(async () => {
  t = await openTestDb();
  ({ deps, connect } = await importHarness(t, BOT));
});
afterAll(() => t.close());

const statsOf = (friendId: string) =>
  t.db.kysely
    .selectFrom('friend_purchase_stats')
    .selectAll()
    .where('friend_id', '=', friendId)
    .executeTakeFirst();

let phone = 0;
const nextPhone = () => `+81901234${String(++phone).padStart(4, '0')}`;

describe('purchase stats per friend (F4.2)', () => {
  let ecforce: Connection;
  let cart: ReturnType<typeof memoryCart>;
  let friend: string;
  const key = nextPhone();
  const buyer = customer({ phones: [key] });
  const first = order(buyer.externalId, {
    orderedAt: new Date('2026-09-01T01:00:00Z'),
    totalAmount: 3000,
    items: [{ productCode: 'P-001', name: '化粧水', quantity: 1, unitPrice: 3000 }],
  });
  const second = order(buyer.externalId, {
    orderedAt: new Date('2026-10-15T01:00:00Z'),
    totalAmount: 5000,
    items: [
      {
        productCode: 'P-002',
        courseCode: 'C-01',
        name: '美容液 定期',
        quantity: 1,
        unitPrice: 4000,
      },
      { productCode: 'P-001', name: '化粧水', quantity: 1, unitPrice: 1000 },
    ],
  });
  const cancelled = order(buyer.externalId, {
    orderedAt: new Date('2026-11-01T01:00:00Z'),
    totalAmount: 99999,
    cancelled: true,
    status: 'canceled',
    items: [{ productCode: 'P-999', name: '取消', quantity: 1, unitPrice: 99999 }],
  });

  beforeAll(async () => {
    ecforce = await connect('ecforce');
    cart = memoryCart('ecforce');
    friend = await insertFriend(t.db, BOT, { phoneKey: key });
    cart.held.customers.push(buyer);
    cart.held.orders.push(first, second, cancelled);
  });

  it('follow the import: counts, amounts, dates and products, cancelled orders left out', async () => {
    await importResource(deps, cart.connector, ecforce, 'customers');
    await importResource(deps, cart.connector, ecforce, 'orders');
    const stats = await statsOf(friend);
    expect(stats).toMatchObject({
      bot_id: BOT,
      order_count: 2,
      first_ordered_at: first.orderedAt,
      last_ordered_at: second.orderedAt,
      product_codes: ['P-001', 'P-002'],
      course_codes: ['C-01'],
    });
    expect(Number(stats!.total_amount)).toBe(8000);
    expect(Number(stats!.average_amount)).toBe(4000);
  });

  it('drop an order the cart cancels later (a webhook)', async () => {
    const now = new Date('2026-11-20T00:00:00Z');
    await applyWebhookChanges(
      t.db,
      ecforce,
      [{ kind: 'order', order: { ...second, cancelled: true, updatedAt: now } }],
      null,
    );
    const stats = (await statsOf(friend))!;
    expect(stats).toMatchObject({
      order_count: 1,
      last_ordered_at: first.orderedAt,
      product_codes: ['P-001'],
      course_codes: [],
    });
    expect(Number(stats.total_amount)).toBe(3000);
  });

  it('add up every customer linked to the friend, across carts', async () => {
    const shopify = await connect('shopify');
    const other = memoryCart('shopify');
    const email = `buyer${phone}@example.jp`;
    await t.db.kysely
      .updateTable('friends')
      .set({ email_key: email })
      .where('id', '=', friend)
      .execute();
    const c2 = customer({ email, emailVerified: true });
    other.held.customers.push(c2);
    other.held.orders.push(
      order(c2.externalId, { orderedAt: new Date('2026-11-10T00:00:00Z'), totalAmount: 2000 }),
    );
    await importResource(deps, other.connector, shopify, 'orders');
    await importResource(deps, other.connector, shopify, 'customers');
    const stats = (await statsOf(friend))!;
    expect(stats.order_count).toBe(2);
    expect(Number(stats.total_amount)).toBe(5000);
    expect(Number(stats.average_amount)).toBe(2500);
    expect(stats.last_ordered_at).toEqual(new Date('2026-11-10T00:00:00Z'));

    // Unlinked by staff: that customer's orders leave the figures with the link.
    await t.db.kysely.transaction().execute(async (trx) => {
      await trx
        .updateTable('links')
        .set({ suppressed: true })
        .where('friend_id', '=', friend)
        .where('connection_id', '=', shopify.id)
        .execute();
      await refreshFriendPurchases(trx, { friendIds: [friend] });
    });
    const after = (await statsOf(friend))!;
    expect(after.order_count).toBe(1);
    expect(Number(after.total_amount)).toBe(3000);
  });

  it('keep a zero row for a linked friend who never bought, and are idempotent', async () => {
    const lonely = await insertFriend(t.db, BOT);
    await refreshFriendPurchases(t.db.kysely, { botId: BOT });
    await refreshFriendPurchases(t.db.kysely, { botId: BOT });
    expect(await statsOf(lonely)).toMatchObject({
      order_count: 0,
      total_amount: '0',
      average_amount: null,
      product_codes: [],
    });
    expect((await statsOf(friend))!.order_count).toBe(1);
  });
});

// On PostgreSQL the two transactions overlap and the later refresh must wait for the earlier one's
// lock; PGlite has one connection and runs them one after the other. The outcome must be the same.
describe('concurrent refreshes of one friend', () => {
  it('the later refresh waits for the earlier and counts the orders it committed', async () => {
    const cart = await connect('subsc_store');
    const key = nextPhone();
    const friend = await insertFriend(t.db, BOT, { phoneKey: key });
    const c = customer({ phones: [key] });
    const placed = order(c.externalId, { totalAmount: 1000 });
    await applyWebhookChanges(
      t.db,
      cart,
      [
        { kind: 'customer', customer: c },
        { kind: 'order', order: placed },
      ],
      null,
    );

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let refreshed!: () => void;
    const firstRefreshed = new Promise<void>((r) => (refreshed = r));
    const first = t.db.kysely.transaction().execute(async (trx) => {
      await new CartDataRepository(trx).upsertOrders(cart, [
        order(c.externalId, { totalAmount: 2000 }),
      ]);
      await refreshFriendPurchases(trx, {
        connectionId: cart.id,
        customerExternalIds: [c.externalId],
      });
      refreshed();
      await held;
    });
    await firstRefreshed;
    // A customers page touching the same customer, while the orders page is still open.
    const second = t.db.kysely
      .transaction()
      .execute((trx) => refreshFriendPurchases(trx, { friendIds: [friend] }));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([first, second]);
    const stats = (await statsOf(friend))!;
    expect(stats.order_count).toBe(2);
    expect(Number(stats.total_amount)).toBe(3000);
  });
});
