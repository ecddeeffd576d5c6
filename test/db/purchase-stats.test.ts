import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CartConnector, Page } from '../../carts/connector.ts';
import type { CartCustomer, CartKind, CartOrder, CartProduct } from '../../crm/cart.ts';
import { CartProductRepository } from '../../db/cart-products.ts';
import { ConnectionRepository, type Connection } from '../../db/connections.ts';
import { refreshFriendPurchases } from '../../db/purchase-stats.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { applyWebhookChanges, importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';
import { customer, insertBot, insertFriend, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

/** A cart at the connector interface holding whatever the test puts in it. */
function memoryCart(kind: CartKind) {
  const held = { customers: [] as CartCustomer[], orders: [] as CartOrder[] };
  const products: CartProduct[][] = [];
  async function* one<T>(items: T[]): AsyncIterable<Page<T>> {
    yield { items, skipped: [], cursor: null };
  }
  const connector: CartConnector<{ token: string }> = {
    kind,
    credentials: z.object({ token: z.string() }),
    verify: async () => {},
    customers: () => one(held.customers),
    orders: () => one(held.orders),
    async *products() {
      for (const items of products) yield { items, skipped: [], cursor: null };
    },
    customerAdminUrl: (_c, c) => `https://cart.example/customers/${c.externalId}`,
  };
  return { connector: connector as CartConnector<unknown>, held, products };
}

let t: TestDb;
let deps: ImportDeps;
let connections: ConnectionRepository;
const BOT = 'shop';

beforeAll(async () => {
  t = await openTestDb();
  connections = new ConnectionRepository(
    t.db.kysely,
    await SecretBox.fromBase64Key(SecretBox.generateKey()),
  );
  deps = {
    db: t.db,
    connections,
    logger: silentLogger,
    fetch,
    sleep: async () => {},
    now: () => new Date(),
  };
  await insertBot(t.db, BOT);
});
afterAll(() => t.close());

async function connect(cart: CartKind, birthdaySync = true): Promise<Connection> {
  // One live connection per cart and bot (F3.3): an earlier test's is disconnected, data kept.
  await t.db.kysely
    .updateTable('connections')
    .set({ disconnected_at: new Date() })
    .where('cart', '=', cart)
    .execute();
  const c = (await connections.create({
    botId: BOT,
    cart,
    name: cart,
    credentials: { token: 't' },
  }))!;
  await t.db.kysely
    .updateTable('connections')
    .set({ birthday_sync: birthdaySync })
    .where('id', '=', c.id)
    .execute();
  return (await connections.get(c.id))!;
}

const statsOf = (friendId: string) =>
  t.db.kysely
    .selectFrom('friend_purchase_stats')
    .selectAll()
    .where('friend_id', '=', friendId)
    .executeTakeFirst();
const birthdayOf = async (friendId: string) =>
  t.db.kysely
    .selectFrom('friends')
    // As text: drivers turn a date into a Date at local midnight.
    .select([sql<string | null>`to_char(birthday, 'YYYY-MM-DD')`.as('birthday'), 'birthday_source'])
    .where('id', '=', friendId)
    .executeTakeFirstOrThrow();

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

describe('birthday from carts (F4.4)', () => {
  it('takes the first linked customer’s birthday; a later link does not replace it', async () => {
    const ecforce = await connect('repeatplus');
    const cart = memoryCart('repeatplus');
    const key = nextPhone();
    const friend = await insertFriend(t.db, BOT, { phoneKey: key });
    const early = customer({ phones: [key], birthday: '1990-04-01' });
    cart.held.customers.push(early);
    cart.held.orders.push(order(early.externalId));
    await importResource(deps, cart.connector, ecforce, 'orders');
    await importResource(deps, cart.connector, ecforce, 'customers');
    expect(await birthdayOf(friend)).toEqual({ birthday: '1990-04-01', birthday_source: 'cart' });

    const late = customer({ phones: [key], birthday: '1985-12-24' });
    cart.held.customers.splice(0, 1, late);
    cart.held.orders.splice(0, 1, order(late.externalId));
    await importResource(deps, cart.connector, ecforce, 'orders');
    await importResource(deps, cart.connector, ecforce, 'customers');
    expect((await birthdayOf(friend)).birthday).toBe('1990-04-01');
  });

  it('never comes from Shopify, nor from a connection that has it off, nor over a friend’s own', async () => {
    const shopify = await connect('shopify');
    const ecforce = await connect('subsc_store', false);
    const email = 'gift@example.jp';
    const friend = await insertFriend(t.db, BOT, { emailKey: email });
    await applyWebhookChanges(
      t.db,
      shopify,
      [
        {
          kind: 'customer',
          customer: customer({ email, emailVerified: true, birthday: '2000-01-01' }),
        },
      ],
      null,
    );
    expect(await birthdayOf(friend)).toEqual({ birthday: null, birthday_source: null });

    const key = nextPhone();
    const own = await insertFriend(t.db, BOT, { phoneKey: key });
    const c = customer({ phones: [key], birthday: '1970-07-07' });
    await applyWebhookChanges(
      t.db,
      ecforce,
      [
        { kind: 'customer', customer: c },
        { kind: 'order', order: order(c.externalId) },
      ],
      null,
    );
    expect(await birthdayOf(own)).toEqual({ birthday: null, birthday_source: null });

    await t.db.kysely
      .updateTable('friends')
      .set({ birthday: '1999-09-09', birthday_source: 'form' })
      .where('id', '=', own)
      .execute();
    await t.db.kysely
      .updateTable('connections')
      .set({ birthday_sync: true })
      .where('id', '=', ecforce.id)
      .execute();
    await refreshFriendPurchases(t.db.kysely, { friendIds: [own] });
    expect(await birthdayOf(own)).toEqual({ birthday: '1999-09-09', birthday_source: 'form' });
  });
});

describe('product catalog import (F4.5)', () => {
  it('imports products() as a resource and upserts them again without duplicates', async () => {
    const ecforce = await connect('rakuraku');
    const cart = memoryCart('rakuraku');
    const product = (code: string, name: string): CartProduct => ({
      externalId: `id-${code}`,
      code,
      name,
      price: 1980,
      url: `https://shop.example/products/${code}`,
      imageUrl: null,
      updatedAt: new Date('2026-11-01T00:00:00Z'),
    });
    cart.products.push(
      [product('B-2', '石けん'), product('A-1', '化粧水')],
      [product('C-3', '美容液')],
    );
    const first = await importResource(deps, cart.connector, ecforce, 'products');
    expect(first.imported).toBe(3);
    cart.products.splice(0, 2, [{ ...product('A-1', '化粧水 (新)'), price: 2200 }]);
    await importResource(deps, cart.connector, ecforce, 'products');
    const page = await new CartProductRepository(t.db.kysely).page(ecforce.id, { limit: 2 });
    expect(page.items.map((p) => [p.code, p.name, p.price])).toEqual([
      ['A-1', '化粧水 (新)', 2200],
      ['B-2', '石けん', 1980],
    ]);
    const rest = await new CartProductRepository(t.db.kysely).page(ecforce.id, {
      after: page.next!,
      limit: 2,
    });
    expect(rest).toMatchObject({ items: [{ code: 'C-3' }], next: null });
  });
});
