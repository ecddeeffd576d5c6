import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportedCarts } from '../../carts/index.ts';
import { CART_KINDS } from '../../crm/cart-kind.ts';
import { normalizePhone } from '../../crm/identity.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { insertFriend } from '../helpers/carts.ts';

const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const shop = generateShop(7, 120);
let t: TestApp;
let fake: ReturnType<typeof createFakeEcforce>;
let fakeUrl: string;
let close: () => Promise<void>;

beforeAll(async () => {
  t = await openTestApp();
  fake = createFakeEcforce({ apiToken: TOKEN });
  fake.seed(shop);
  const server = await fake.listen();
  fakeUrl = server.url;
  close = server.close;
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
});
afterAll(async () => {
  await close();
  await t.close();
});

const connect = (credentials: Record<string, string>, cart = 'ecforce') =>
  t.api('POST', '/api/bots/shop/connections', { cart, credentials, baseUrl: fakeUrl });
const count = async (table: 'cart_customers' | 'cart_orders' | 'connections') =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(
        t.testDb.db.kysely,
      )
    ).rows[0]!.n,
  );

/** Runs queued jobs until none is due (the import and what it enqueues). */
async function drain() {
  while ((await t.kizuna.queue.runDue(100)) > 0);
}

describe('/api/bots/:botId/connections', () => {
  it('refuses credentials the cart refuses, naming the field, and saves nothing', async () => {
    const res = await connect({ shopDomain: 'shop.example.com', apiToken: 'wrong-token' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('cart_bad_credentials');
    expect(body.error.fields).toEqual([
      { field: 'credentials.apiToken', message: expect.any(String) },
    ]);
    expect(await count('connections')).toBe(0);
  });

  it('answers 400 naming a missing credential, and a cart that cannot be connected yet', async () => {
    const missing = await connect({ apiToken: TOKEN });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.fields.map((f: { field: string }) => f.field)).toContain(
      'credentials.shopDomain',
    );
    // Whichever cart has no connector yet (none, once every cart of F3.1 has one).
    const unsupported = CART_KINDS.find((c) => !supportedCarts().includes(c));
    if (unsupported) {
      const res = await connect({ shopId: 'x', token: 'y' }, unsupported);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({
        code: 'cart_not_supported',
        fields: [{ field: 'cart', message: 'is not supported yet' }],
      });
    }
    expect(await count('connections')).toBe(0);
  });

  it('connects, imports everything the cart holds, and links a friend who gave a buyer’s phone', async () => {
    const buyer = shop.customers.find((c) => c.orderCount > 0 && c.phone && !c.samePhoneAs)!;
    const e164 = normalizePhone(buyer.phone!.parts.join('-')) as { ok: true; e164: string };
    const friend = await insertFriend(t.testDb.db, 'shop', { phoneKey: e164.e164 });

    const res = await connect({ shopDomain: 'shop.example.com', apiToken: TOKEN });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(TOKEN);
    const connection = JSON.parse(text);
    expect(connection).toMatchObject({ cart: 'ecforce', status: 'connected' });

    await drain();
    expect(await count('cart_customers')).toBe(shop.customers.length);
    expect(await count('cart_orders')).toBe(shop.orders.length);
    const links = await t.testDb.db.kysely
      .selectFrom('links')
      .selectAll()
      .where('friend_id', '=', friend)
      .execute();
    expect(links.map((l) => l.rule)).toContain('phone');

    const runs = (
      await (await t.api('GET', `/api/bots/shop/connections/${connection.id}/runs`)).json()
    ).items;
    expect(
      runs.map((r: { resource: string; state: string }) => `${r.resource}:${r.state}`).sort(),
    ).toEqual(['customers:done', 'orders:done', 'products:done', 'subscriptions:done']);
    const shown = await (await t.api('GET', `/api/bots/shop/connections/${connection.id}`)).json();
    expect(shown).toMatchObject({ status: 'connected', lastError: null });
    expect(shown.lastSuccessAt).not.toBeNull();
  });

  it('refuses connecting the same cart twice to one bot (F3.3)', async () => {
    const res = await connect({ shopDomain: 'shop.example.com', apiToken: TOKEN });
    expect(res.status).toBe(409);
  });

  it('connects the same store to a second bot, warning on both sides (F3.3)', async () => {
    expect((await t.api('POST', '/api/bots', { id: 'second', name: 'Second' })).status).toBe(201);
    const res = await t.api('POST', '/api/bots/second/connections', {
      cart: 'ecforce',
      // The same store, written differently: the domain is compared case-insensitively.
      credentials: { shopDomain: 'SHOP.example.com', apiToken: TOKEN },
      baseUrl: fakeUrl,
    });
    expect(res.status).toBe(201);
    const second = await res.json();
    expect(second.warnings).toEqual([
      { code: 'store_shared', message: expect.stringContaining('shop'), botIds: ['shop'] },
    ]);
    const [first] = (await (await t.api('GET', '/api/bots/shop/connections')).json()).items;
    expect(first.warnings.map((w: { botIds: string[] }) => w.botIds)).toEqual([['second']]);
    // Disconnected, the second no longer shares the store.
    expect((await t.api('DELETE', `/api/bots/second/connections/${second.id}`)).status).toBe(200);
    const again = await (await t.api('GET', `/api/bots/shop/connections/${first.id}`)).json();
    expect(again.warnings).toEqual([]);
  });

  it('syncs again on demand without duplicating anything', async () => {
    const [connection] = (await (await t.api('GET', '/api/bots/shop/connections')).json()).items;
    expect((await t.api('POST', `/api/bots/shop/connections/${connection.id}/sync`)).status).toBe(
      202,
    );
    await drain();
    expect(await count('cart_customers')).toBe(shop.customers.length);
    expect(await count('cart_orders')).toBe(shop.orders.length);
  });

  it('disconnects, keeping the data, and refuses to sync a disconnected cart', async () => {
    const [connection] = (await (await t.api('GET', '/api/bots/shop/connections')).json()).items;
    const res = await t.api('DELETE', `/api/bots/shop/connections/${connection.id}`);
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('disconnected');
    expect(await count('cart_customers')).toBe(shop.customers.length);
    expect((await t.api('POST', `/api/bots/shop/connections/${connection.id}/sync`)).status).toBe(
      409,
    );
  });

  it('hides another bot’s connections and answers 401 without the token', async () => {
    expect((await t.api('POST', '/api/bots', { id: 'other', name: 'Other' })).status).toBe(201);
    const [connection] = (await (await t.api('GET', '/api/bots/shop/connections')).json()).items;
    expect((await t.api('GET', `/api/bots/other/connections/${connection.id}`)).status).toBe(404);
    expect((await t.api('GET', '/api/bots/shop/connections', undefined, null)).status).toBe(401);
  });
});
