// Imported cart records: every field round-trips through the one-JSON-parameter upsert, and a
// record never goes back in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartDataRepository, type ConnectionRef } from '../../db/cart-data.ts';
import { customer, insertBot, insertConnection, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let conn: ConnectionRef;
let data: CartDataRepository;
beforeAll(async () => {
  t = await openTestDb();
  await insertBot(t.db, 'shop');
  conn = await insertConnection(t.db, 'shop', 'ecforce');
  data = new CartDataRepository(t.db.kysely);
});
afterAll(() => t.close());

const row = (table: 'cart_customers' | 'cart_orders', id: string) =>
  t.db.kysely
    .selectFrom(table)
    .selectAll()
    .where('connection_id', '=', conn.id)
    .where('external_id', '=', id)
    .executeTakeFirstOrThrow();

describe('cart data upserts', () => {
  it('stores every field of customers and orders', async () => {
    const c = customer({
      number: 'a1b2c3',
      email: ' Hanako@Example.JP ',
      mobileEmail: 'hanako@docomo.ne.jp',
      emailVerified: true,
      phones: ['090-1234-5678', '０９０１２３４５６７８'],
      lineUserId: `U${'a'.repeat(32)}`,
      nameKana: 'ヤマダ ハナコ',
      birthday: '1990-04-01',
      customData: { rank: 'gold', points: 120, tags: 'a,b' },
    });
    const o = order(c.externalId, {
      number: '#1001',
      shippedAt: new Date('2026-11-02T01:02:03Z'),
      requestedDeliveryDate: '2026-11-05',
      carrier: 'yamato',
      trackingNumber: '1234',
      subscriptionExternalId: 'S1',
      subscriptionSequence: 3,
      ordererPhones: ['03-1234-5678'],
      ordererEmail: 'X@Example.jp',
    });
    await data.upsertCustomers(conn, [c]);
    await data.upsertOrders(conn, [o]);
    expect(await row('cart_customers', c.externalId)).toMatchObject({
      bot_id: 'shop',
      number: 'a1b2c3',
      email: ' Hanako@Example.JP ',
      mobile_email: 'hanako@docomo.ne.jp',
      email_verified: true,
      phones: ['090-1234-5678', '０９０１２３４５６７８'],
      phone_keys: ['+819012345678'],
      line_user_id: `U${'a'.repeat(32)}`,
      name: '山田 太郎',
      name_kana: 'ヤマダ ハナコ',
      custom_data: { rank: 'gold', points: 120, tags: 'a,b' },
      created_at_cart: c.createdAt,
      updated_at_cart: c.updatedAt,
    });
    const stored = await row('cart_orders', o.externalId);
    expect(stored).toMatchObject({
      customer_external_id: c.externalId,
      number: '#1001',
      ordered_at: o.orderedAt,
      currency: 'JPY',
      status: 'complete',
      cancelled: false,
      items: o.items,
      shipped_at: o.shippedAt,
      carrier: 'yamato',
      tracking_number: '1234',
      subscription_external_id: 'S1',
      subscription_sequence: 3,
      orderer_phone_keys: ['+81312345678'],
      orderer_email_key: 'x@example.jp',
      updated_at_cart: o.updatedAt,
    });
    expect(Number(stored.total_amount)).toBe(3980);
    expect(String(stored.requested_delivery_date)).toMatch(/2026-11-05|Nov 05 2026/);
  });

  it('keeps array values as they are, quotes, backslashes, commas and braces included', async () => {
    const odd = ['a"b', 'c\\d', 'x, {y}', 'NULL', ''];
    const c = customer({ phones: odd });
    await data.upsertCustomers(conn, [c, customer({ phones: [] })]);
    expect((await row('cart_customers', c.externalId)).phones).toEqual(odd);
  });

  it('never goes back in time, and the newest copy of a record in one page wins', async () => {
    const c = customer({ name: '新しい', updatedAt: new Date('2026-11-10T00:00:00Z') });
    await data.upsertCustomers(conn, [c]);
    await data.upsertCustomers(conn, [
      { ...c, name: '古い', updatedAt: new Date('2026-11-09T00:00:00Z') },
    ]);
    expect((await row('cart_customers', c.externalId)).name).toBe('新しい');
    await data.upsertCustomers(conn, [
      { ...c, name: '最新', updatedAt: new Date('2026-11-12T00:00:00Z') },
      { ...c, name: '途中', updatedAt: new Date('2026-11-11T00:00:00Z') },
    ]);
    expect((await row('cart_customers', c.externalId)).name).toBe('最新');
  });
});
