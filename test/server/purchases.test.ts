import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePhone } from '../../crm/identity.ts';
import { friendSubscriptionStatus } from '../../crm/purchase-stats.ts';
import { generateShop, PRODUCTS } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { insertFriend } from '../helpers/carts.ts';

const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee01';
const shop = generateShop(11, 150);
// Names a CSV must quote: commas, double quotes, a line break, and a would-be Excel formula.
const CATALOG = [
  ...PRODUCTS,
  { code: 'Q-001', name: '美容液, 30mL「限定」', price: 4980, courseCode: null },
  { code: 'Q-002', name: '"幻の"はちみつ', price: 2480, courseCode: null },
  { code: 'Q-003', name: 'ギフトセット\n(のし付き)', price: 5500, courseCode: null },
  { code: 'Q-004', name: '=HYPERLINK("x")', price: 1, courseCode: null },
];
const buyer = shop.customers.find(
  (c) =>
    c.orderCount > 1 &&
    c.phone &&
    c.birthday &&
    !c.samePhoneAs &&
    !shop.customers.some((d) => d.samePhoneAs === c.id),
)!;

let t: TestApp;
let close: () => Promise<void>;
let connectionId: string;
let friendId: string;

beforeAll(async () => {
  t = await openTestApp();
  const fake = createFakeEcforce({ apiToken: TOKEN });
  fake.seed(shop);
  fake.seedProducts(CATALOG);
  const server = await fake.listen();
  close = server.close;
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
  const e164 = normalizePhone(buyer.phone!.parts.join('-')) as { ok: true; e164: string };
  friendId = await insertFriend(t.testDb.db, 'shop', { phoneKey: e164.e164 });
  const res = await t.api('POST', '/api/bots/shop/connections', {
    cart: 'ecforce',
    credentials: { shopDomain: 'shop.example.com', apiToken: TOKEN },
    baseUrl: server.url,
    birthdaySync: true,
  });
  expect(res.status).toBe(201);
  const connection = await res.json();
  expect(connection.birthdaySync).toBe(true);
  connectionId = connection.id;
  while ((await t.kizuna.queue.runDue(100)) > 0);
});
afterAll(async () => {
  await close();
  await t.close();
});

describe('GET /api/bots/:botId/friends/:friendId/purchases', () => {
  it('sums the linked customer’s orders without the cancelled ones, with subscriptions and birthday', async () => {
    const res = await t.api('GET', `/api/bots/shop/friends/${friendId}/purchases`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const kept = shop.orders.filter((o) => o.customerId === buyer.id && o.state !== 'cancelled');
    const total = kept.reduce((sum, o) => sum + o.total, 0);
    const times = kept.map((o) => o.orderedAt.getTime());
    expect(body.stats).toMatchObject({
      orderCount: kept.length,
      totalAmount: total,
      firstOrderedAt: new Date(Math.min(...times)).toISOString(),
      lastOrderedAt: new Date(Math.max(...times)).toISOString(),
      productCodes: [...new Set(kept.flatMap((o) => o.items.map((i) => i.productCode)))].sort(),
    });
    expect(body.stats.averageAmount).toBeCloseTo(total / kept.length, 2);
    const subs = shop.subscriptions.filter((s) => s.customerId === buyer.id);
    expect(body.subscriptions.map((s: { status: string }) => s.status).sort()).toEqual(
      subs.map((s) => s.state).sort(),
    );
    expect(body.subscriptionStatus).toBe(
      friendSubscriptionStatus(subs.map((s) => ({ status: s.state }))),
    );
    expect(body.birthday).toEqual({ date: buyer.birthday, source: 'cart' });
  });

  it('loses the customer’s orders when staff unlink it, and gets them back on relinking', async () => {
    const links = (await (await t.api('GET', `/api/bots/shop/friends/${friendId}/links`)).json())
      .items as Array<{ connectionId: string; customerExternalId: string }>;
    expect(links).toHaveLength(1);
    const [link] = links;
    const path = `/api/bots/shop/friends/${friendId}`;
    const unlink = `${path}/links/${link!.connectionId}/${link!.customerExternalId}`;
    expect((await t.api('DELETE', unlink)).status).toBe(204);
    const after = await (await t.api('GET', `${path}/purchases`)).json();
    expect(after.stats).toMatchObject({ orderCount: 0, totalAmount: 0, averageAmount: null });
    expect(after.subscriptions).toEqual([]);
    expect(
      (
        await t.api('POST', `${path}/links`, {
          connectionId: link!.connectionId,
          customerExternalId: link!.customerExternalId,
        })
      ).status,
    ).toBe(201);
    const again = await (await t.api('GET', `${path}/purchases`)).json();
    expect(again.stats.orderCount).toBeGreaterThan(1);
  });

  it('answers 404 for an unknown friend and 400 for a malformed id', async () => {
    const missing = await t.api('GET', `/api/bots/shop/friends/${crypto.randomUUID()}/purchases`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    const bad = await t.api('GET', '/api/bots/shop/friends/not%20an%20id/purchases');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].field).toContain('friendId');
  });
});

describe('GET /api/bots/:botId/connections/:id/products (+ .csv)', () => {
  it('pages the imported catalog by code with an opaque cursor', async () => {
    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=5&cursor=${cursor}` : '?limit=5';
      const res = await t.api('GET', `/api/bots/shop/connections/${connectionId}/products${query}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      codes.push(...body.items.map((p: { code: string }) => p.code));
      cursor = body.nextCursor;
    } while (cursor);
    expect(codes).toEqual(CATALOG.map((p) => p.code).sort());
  });

  it('downloads the catalog as Excel-friendly CSV: BOM, CRLF, quoted names', async () => {
    const res = await t.api('GET', `/api/bots/shop/connections/${connectionId}/products.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('商品コード,商品名,バリエーション,定期コース,価格,URL,画像URL,更新日時');
    expect(text).toContain('Q-001,"美容液, 30mL「限定」",,,4980,');
    expect(text).toContain('Q-002,"""幻の""はちみつ",,,2480,');
    expect(text).toContain('Q-003,"ギフトセット\n(のし付き)",,,5500,');
    expect(text).toContain(`Q-004,"'=HYPERLINK(""x"")",`);
    expect(text.endsWith('\r\n')).toBe(true);
    // Header, one record a product (the name's lone \n is inside quotes), and the final CRLF.
    expect(lines).toHaveLength(CATALOG.length + 2);
    for (const p of CATALOG) expect(lines.some((l) => l.startsWith(`${p.code},`))).toBe(true);
  });

  it('answers 404 with a code for an unknown or foreign connection', async () => {
    for (const path of [
      `/api/bots/shop/connections/${crypto.randomUUID()}/products`,
      `/api/bots/shop/connections/${crypto.randomUUID()}/products.csv`,
      `/api/bots/nobody/connections/${connectionId}/products`,
    ]) {
      const res = await t.api('GET', path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code, path).toBe('not_found');
    }
  });

  it('answers 400 naming the field for bad paging', async () => {
    const base = `/api/bots/shop/connections/${connectionId}/products`;
    for (const [query, field] of [
      ['?limit=0', 'query.limit'],
      ['?limit=500', 'query.limit'],
      ['?limit=abc', 'query.limit'],
      ['?cursor=not-a-cursor', 'query.cursor'],
    ] as const) {
      const res = await t.api('GET', `${base}${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });
});

describe('POST /api/bots/:botId/connections with birthdaySync', () => {
  it('refuses it for a cart whose birthdays are never synced (Shopify)', async () => {
    const res = await t.api('POST', '/api/bots/shop/connections', {
      cart: 'shopify',
      credentials: { shopDomain: 'x.myshopify.com', accessToken: 'shpat_x' },
      birthdaySync: true,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toEqual([
      { field: 'birthdaySync', message: expect.any(String) },
    ]);
  });
});
