import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartDataRepository } from '../../db/cart-data.ts';
import { ConnectionRepository, type Connection } from '../../db/connections.ts';
import { LinkEngine } from '../../db/links.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { customer, insertFriend, order } from '../helpers/carts.ts';

let t: TestApp;
let connection: Connection;
let linked: string;
let unlinked: string;
let lonely: string;
const buyer = customer({ phones: ['090-4444-5555'], name: '鈴木 花子', number: 'A001' });
const other = customer({ phones: ['090-4444-6666'] });

beforeAll(async () => {
  t = await openTestApp();
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
  expect((await t.api('POST', '/api/bots', { id: 'other', name: 'Other' })).status).toBe(201);
  connection = (await new ConnectionRepository(t.testDb.db.kysely, t.secretBox).create({
    botId: 'shop',
    cart: 'ecforce',
    name: 'ecforce',
    credentials: { shopDomain: 'shop.example.com', apiToken: 'token' },
  }))!;
  const data = new CartDataRepository(t.testDb.db.kysely);
  await data.upsertCustomers(connection, [buyer, other]);
  await data.upsertOrders(connection, [order(buyer.externalId)]);
  linked = await insertFriend(t.testDb.db, 'shop', { phoneKey: '+819044445555' });
  unlinked = await insertFriend(t.testDb.db, 'shop', { phoneKey: '+819044446666' }); // customer has no orders
  lonely = await insertFriend(t.testDb.db, 'shop');
  await new LinkEngine(t.testDb.db.kysely).link(connection);
});
afterAll(() => t.close());

describe('links API', () => {
  it("lists a friend's cart customers with a link to the cart's admin", async () => {
    const res = await t.api('GET', `/api/bots/shop/friends/${linked}/links`);
    expect(res.status).toBe(200);
    expect((await res.json()).items).toEqual([
      expect.objectContaining({
        connectionId: connection.id,
        cart: 'ecforce',
        customerExternalId: buyer.externalId,
        customerNumber: 'A001',
        customerName: '鈴木 花子',
        rule: 'phone',
        adminUrl: `https://shop.example.com/admin/customers/${buyer.externalId}`,
      }),
    ]);
  });

  it("lists a friend's orders from the linked customers, newest first", async () => {
    const res = await t.api('GET', `/api/bots/shop/friends/${linked}/orders`);
    expect(res.status).toBe(200);
    const items = (await res.json()).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      cart: 'ecforce',
      totalAmount: 3980,
      currency: 'JPY',
      cancelled: false,
    });
    expect(items[0].items).toEqual([
      expect.objectContaining({ productCode: 'P-001', quantity: 1 }),
    ]);
    expect(
      (await (await t.api('GET', `/api/bots/shop/friends/${lonely}/orders`)).json()).items,
    ).toEqual([]);
    expect((await t.api('GET', `/api/bots/other/friends/${linked}/orders`)).status).toBe(404);
  });

  it('reports unlinked friends with the reason in Japanese and English', async () => {
    const items = (await (await t.api('GET', '/api/bots/shop/links/unlinked')).json()).items;
    const byFriend = Object.fromEntries(
      items.map((i: { friendId: string; carts: unknown[] }) => [i.friendId, i.carts]),
    );
    expect(Object.keys(byFriend)).not.toContain(linked);
    expect(byFriend[unlinked]).toEqual([
      expect.objectContaining({
        reason: 'customer_has_no_orders',
        message: { ja: expect.any(String), en: expect.any(String) },
      }),
    ]);
    expect(byFriend[lonely]).toEqual([expect.objectContaining({ reason: 'no_phone_or_email' })]);
  });

  it('links by hand, and an unlink by hand is not undone by the rules', async () => {
    const manual = await t.api('POST', `/api/bots/shop/friends/${lonely}/links`, {
      connectionId: connection.id,
      customerExternalId: other.externalId,
    });
    expect(manual.status).toBe(201);
    expect((await manual.json()).rule).toBe('manual');

    const res = await t.api(
      'DELETE',
      `/api/bots/shop/friends/${linked}/links/${connection.id}/${buyer.externalId}`,
    );
    expect(res.status).toBe(204);
    await new LinkEngine(t.testDb.db.kysely).link(connection);
    expect(
      (await (await t.api('GET', `/api/bots/shop/friends/${linked}/links`)).json()).items,
    ).toEqual([]);
  });

  it('answers 404 for a customer or friend outside the bot, 400 for bad input, 401 without token', async () => {
    const missing = await t.api('POST', `/api/bots/shop/friends/${lonely}/links`, {
      connectionId: connection.id,
      customerExternalId: 'nope',
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.fields[0].field).toBe('customerExternalId');
    expect((await t.api('GET', `/api/bots/other/friends/${linked}/links`)).status).toBe(404);
    expect(
      (
        await t.api('POST', `/api/bots/other/friends/${linked}/links`, {
          connectionId: connection.id,
          customerExternalId: buyer.externalId,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await t.api('POST', `/api/bots/shop/friends/${lonely}/links`, {
          connectionId: connection.id,
        })
      ).status,
    ).toBe(400);
    expect(
      (await t.api('DELETE', `/api/bots/shop/friends/${lonely}/links/${connection.id}/nope`))
        .status,
    ).toBe(404);
    expect((await t.api('GET', '/api/bots/shop/links/unlinked?limit=0')).status).toBe(400);
    expect((await t.api('GET', '/api/bots/shop/links/unlinked', undefined, null)).status).toBe(401);
  });
});
