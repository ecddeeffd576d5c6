import { parse, validate } from 'graphql';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CartError, type WebhookChange } from '../../carts/connector.ts';
import { createShopifyConnector, shopify } from '../../carts/shopify.ts';
import {
  ALL_DOCUMENTS,
  CUSTOMER_PAGE_SIZE,
  ORDER_LINE_ITEMS,
  ORDER_PAGE_SIZE,
  REQUESTED_COST,
  SUBSCRIPTION_PAGE_SIZE,
} from '../../carts/shopify/queries.ts';
import {
  adminSchema,
  MAX_QUERY_COST,
  requestedCost,
  restCustomerPayload,
  restOrderPayload,
  signShopifyWebhook,
} from '../fakes/shopify.ts';
import {
  collect,
  listen,
  shopifyContractHarness,
  startShopify,
  type ShopifyHarness,
} from '../fakes/shopify/harness.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { orderGid } from '../fakes/shopify.ts';
import { connectorContract } from './contract.ts';

connectorContract('shopify', shopifyContractHarness);

/** Paged queries from the start, for the tests of paging itself (first imports use bulk). */
const paged = createShopifyConnector({ firstImport: 'paged' });

describe('Shopify GraphQL documents', () => {
  const vars = {
    first: Math.max(CUSTOMER_PAGE_SIZE, ORDER_PAGE_SIZE, SUBSCRIPTION_PAGE_SIZE),
    lineItems: ORDER_LINE_ITEMS,
    id: 'gid://shopify/Order/1',
  };
  const pageSizes: Record<string, number> = {
    CUSTOMERS_QUERY: CUSTOMER_PAGE_SIZE,
    ORDERS_QUERY: ORDER_PAGE_SIZE,
    SUBSCRIPTIONS_QUERY: SUBSCRIPTION_PAGE_SIZE,
  };

  it.each(Object.entries(ALL_DOCUMENTS))('%s validates against the 2025-01 schema', (_, doc) => {
    expect(validate(adminSchema(), parse(doc)).map((e) => e.message)).toEqual([]);
  });

  it.each(Object.entries(ALL_DOCUMENTS))(
    '%s stays under the 1000-point query cost',
    (name, doc) => {
      const document = parse(doc);
      const op = document.definitions[0]!;
      if (op.kind !== 'OperationDefinition') throw new Error('not an operation');
      const cost = requestedCost(adminSchema(), op, [], { ...vars, first: pageSizes[name] ?? 0 });
      expect(cost).toBeLessThanOrEqual(MAX_QUERY_COST);
      if (REQUESTED_COST.has(doc)) expect(cost, name).toBe(REQUESTED_COST.get(doc));
      // Page sizes are chosen to use most of the budget, not a tenth of it.
      if (pageSizes[name]) expect(cost).toBeGreaterThan(MAX_QUERY_COST / 2);
    },
  );

  it('refuses a misspelled field (the check above can fail)', () => {
    const bad = ALL_DOCUMENTS.CUSTOMERS_QUERY!.replace('verifiedEmail', 'verifiedEmails');
    expect(validate(adminSchema(), parse(bad)).map((e) => e.message)).toEqual([
      expect.stringContaining('Cannot query field "verifiedEmails" on type "Customer"'),
    ]);
  });
});

describe('Shopify connector over HTTP', () => {
  let h: ShopifyHarness;
  beforeEach(async () => {
    h = await startShopify();
  });
  afterEach(async () => {
    await h.close();
  });

  /** n customers one second apart, or all in the same second. */
  function customers(n: number, sameSecond = false) {
    return Array.from({ length: n }, (_, i) => {
      if (!sameSecond || i === 0) h.clock.t += 1000;
      return h.fake.add.customer({ email: `c${i}@example.jp` });
    });
  }

  it('pages through every customer, oldest change first, within the cost bucket', async () => {
    const made = customers(400);
    const pages = await collect(paged.customers(h.ctx(), null));
    expect(pages.map((p) => p.items.length)).toEqual([160, 160, 80]);
    const ids = pages.flatMap((p) => p.items.map((c) => c.externalId));
    expect(ids).toEqual(made.map((c) => c.id));
    for (const p of pages)
      expect(JSON.parse(p.cursor!)).toMatchObject({ id: p.items.at(-1)!.externalId });
    // 962 points a page against 1000 + 50/s: the connector waits instead of being throttled.
    expect(h.fake.requests.map((r) => r.cost)).toEqual([962, 962, 962]);
    expect(h.fake.throttled).toBe(0);
    expect(h.slept.length).toBe(2);
    for (const ms of h.slept) expect(ms).toBeGreaterThan(15_000);
  });

  it('resumes exactly after the last customer handed out, even inside one updated_at second', async () => {
    customers(10);
    customers(200, true);
    customers(10);
    // One context, as one import job: the bucket it learnt carries over to the resumed sync.
    const ctx = h.ctx();
    const first = await collect(paged.customers(ctx, null), 1);
    expect(first[0]!.items).toHaveLength(160);
    const rest = await collect(paged.customers(ctx, first[0]!.cursor));
    const ids = [...first, ...rest].flatMap((p) => p.items.map((c) => c.externalId));
    expect(ids).toHaveLength(220);
    expect(new Set(ids).size).toBe(220);
    expect(h.fake.requests.at(-1)!.variables.query).toMatch(/^updated_at:>='2025-06-01T00:00:11/);
    expect(h.fake.throttled).toBe(0);
    // A new job knows nothing of the bucket: at most its first query is throttled, then it waits.
    await collect(paged.customers(h.ctx(), null));
    expect(h.fake.throttled).toBe(1);
  });

  it('imports only what changed since the cursor', async () => {
    const made = customers(5);
    const all = await collect(paged.customers(h.ctx(), null));
    h.clock.t += 60_000;
    h.fake.add.touch(made[1]!.id);
    const added = h.fake.add.customer();
    const next = await collect(paged.customers(h.ctx(), all.at(-1)!.cursor));
    expect(next.flatMap((p) => p.items.map((c) => c.externalId))).toEqual([made[1]!.id, added.id]);
    expect(await collect(paged.customers(h.ctx(), next.at(-1)!.cursor))).toEqual([]);
  });

  it('maps customers: unverified e-mail, both phones, Japanese name order, custom data', async () => {
    h.fake.add.customer({
      email: ' Hanako@Example.JP ',
      verifiedEmail: false,
      phone: '+819012345678',
      defaultAddress: {
        phone: '03-1234-5678',
        zip: '150-0001',
        province: '東京都',
        city: '渋谷区',
      },
      numberOfOrders: '3',
      amountSpent: { amount: '9000.0', currencyCode: 'JPY' },
      tags: ['VIP', '定期'],
    });
    const [c] = (await collect(paged.customers(h.ctx(), null)))[0]!.items;
    expect(c).toMatchObject({
      email: ' Hanako@Example.JP ',
      emailVerified: false,
      phones: ['+819012345678', '03-1234-5678'],
      name: '山田 花子',
      customData: {
        numberOfOrders: 3,
        amountSpent: 9000,
        averageOrderAmount: 3000,
        tags: 'VIP,定期',
        province: '東京都',
      },
    });
    expect(shopify.customerAdminUrl(h.ctx().credentials, c!)).toBe(
      `https://admin.shopify.com/store/kizuna-test/customers/${c!.number}`,
    );
  });

  it('maps orders: items, course, totals, shipping and cancellation, 15 a page', async () => {
    const buyer = h.fake.add.customer();
    for (let i = 0; i < 20; i++) {
      h.clock.t += 1000;
      h.fake.add.order({ customerId: buyer.id });
    }
    h.clock.t += 1000;
    const special = h.fake.add.order({
      customerId: buyer.id,
      processedAt: '2024-12-24T10:00:00Z',
      cancelledAt: '2025-06-02T00:00:00Z',
      phone: '090-1111-2222',
      totalPriceSet: { shopMoney: { amount: '7960.0', currencyCode: 'JPY' } },
      lineItems: [
        {
          sku: 'SERUM-SUB',
          name: '美容液 定期便',
          quantity: 2,
          originalUnitPriceSet: { shopMoney: { amount: '3980.0', currencyCode: 'JPY' } },
          sellingPlan: { name: '毎月お届け' },
          contract: { id: 'gid://shopify/SubscriptionContract/42' },
        },
      ],
      fulfillments: [
        { createdAt: '2025-06-03T01:00:00Z', status: 'CANCELLED', trackingInfo: [] },
        {
          createdAt: '2025-06-04T01:00:00Z',
          status: 'SUCCESS',
          trackingInfo: [{ company: 'Yamato (JA)', number: '1234-5678-9012' }],
        },
      ],
    });
    const pages = await collect(paged.orders(h.ctx(), null));
    expect(pages.map((p) => p.items.length)).toEqual([15, 6]);
    const o = pages[1]!.items.find((x) => x.externalId === special.id)!;
    expect(o).toMatchObject({
      customerExternalId: buyer.id,
      orderedAt: new Date('2024-12-24T10:00:00Z'),
      totalAmount: 7960,
      currency: 'JPY',
      cancelled: true,
      items: [{ productCode: 'SERUM-SUB', courseCode: '毎月お届け', quantity: 2, unitPrice: 3980 }],
      shippedAt: new Date('2025-06-04T01:00:00Z'),
      carrier: 'yamato',
      trackingNumber: '1234-5678-9012',
      subscriptionExternalId: 'gid://shopify/SubscriptionContract/42',
      ordererPhones: ['090-1111-2222'],
    });
    expect(h.fake.throttled).toBe(0);
  });

  it('fetches the rest of an order with more line items than a page asks for', async () => {
    const base = h.fake.add.order().lineItems[0]!;
    const many = Array.from({ length: 23 }, (_, i) => ({ ...base, sku: `SKU-${i}` }));
    h.clock.t += 1000;
    const big = h.fake.add.order({ lineItems: many });
    const orders = (await collect(paged.orders(h.ctx(), null))).flatMap((p) => p.items);
    const got = orders.find((o) => o.externalId === big.id)!;
    expect(got.items.map((i) => i.productCode)).toEqual(many.map((l) => l.sku));
    expect(orders.find((o) => o.externalId !== big.id)!.items).toHaveLength(1);
    const extra = h.fake.requests.filter((r) => r.operationName === 'KizunaOrderLineItems');
    expect(extra.map((r) => r.variables.id)).toEqual([big.id]);
    expect(h.fake.throttled).toBe(0);
  });

  it('keeps the raw subscription status and resumes contracts by cursor', async () => {
    const statuses = ['ACTIVE', 'PAUSED', 'CANCELLED', 'EXPIRED', 'FAILED'] as const;
    for (let i = 0; i < 120; i++) {
      h.clock.t += 1000;
      h.fake.add.subscription({ status: statuses[i % 5]! });
    }
    const first = await collect(shopify.subscriptions!(h.ctx(), null), 1);
    expect(first[0]!.items.slice(0, 5).map((s) => s.rawStatus)).toEqual([...statuses]);
    expect(first[0]!.items[0]!.courseCode).toBe('毎月お届け');
    const rest = await collect(shopify.subscriptions!(h.ctx(), first[0]!.cursor));
    expect(rest.flatMap((p) => p.items)).toHaveLength(20);
    h.clock.t += 5000;
    const changed = [...h.fake.store.subscriptions.values()][3]!;
    h.fake.add.touch(changed.id);
    changed.status = 'ACTIVE';
    const next = await collect(shopify.subscriptions!(h.ctx(), rest.at(-1)!.cursor));
    expect(next.flatMap((p) => p.items.map((s) => [s.externalId, s.rawStatus]))).toEqual([
      [changed.id, 'ACTIVE'],
    ]);
  });

  it('retries THROTTLED, 5xx and timeouts, then carries on', async () => {
    customers(3);
    h.fake.inject({ throttled: true });
    h.fake.inject({ status: 503, times: 2 });
    h.fake.inject({ timeoutMs: 2_000 });
    const fast = createShopifyConnector({ timeoutMs: 200, firstImport: 'paged' });
    const pages = await collect(fast.customers(h.ctx(), null));
    expect(pages[0]!.items).toHaveLength(3);
    expect(h.fake.requests.map((r) => r.outcome)).toEqual([
      'throttled',
      'fault',
      'fault',
      'ok',
      'ok',
    ]);
    expect(h.fake.requests.map((r) => r.hung)).toEqual([false, false, false, true, false]);
    expect(h.fake.throttled).toBe(1);
  });

  it('gives up on a dead store as unavailable', async () => {
    h.fake.inject({ status: 500, times: 10 });
    const err = await collect(paged.customers(h.ctx(), null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CartError);
    expect(err).toMatchObject({ kind: 'unavailable' });
    expect(h.fake.requests).toHaveLength(8);
  });

  it('verifies credentials: bad token, unknown shop', async () => {
    await expect(shopify.verify(h.ctx())).resolves.toBeUndefined();
    await expect(shopify.verify(h.ctx({ accessToken: 'shpat_wrong' }))).rejects.toMatchObject({
      kind: 'bad_credentials',
      field: 'accessToken',
    });
    h.fake.inject({ status: 404 });
    await expect(shopify.verify(h.ctx())).rejects.toMatchObject({
      kind: 'not_found',
      field: 'shopDomain',
    });
  });

  it('checks the credential shapes', () => {
    const ok = shopify.credentials.safeParse({
      shopDomain: ' My-Shop.myshopify.com ',
      accessToken: 'shpat_1',
    });
    expect(ok.success && ok.data.shopDomain).toBe('my-shop.myshopify.com');
    expect(
      shopify.credentials.safeParse({ shopDomain: 'my-shop.com', accessToken: 'x' }).success,
    ).toBe(false);
    expect(
      shopify.credentials.safeParse({ shopDomain: 'a.myshopify.com', accessToken: '' }).success,
    ).toBe(false);
  });
});

describe('Shopify webhooks', () => {
  const secret = 'shpss_test_secret';
  const credentials = {
    shopDomain: 'kizuna-test.myshopify.com',
    accessToken: 'x',
    webhookSecret: secret,
  };
  const hooks = shopify.webhooks!;
  let server: { url: string; close(): Promise<void> };
  let h: ShopifyHarness;
  const seen = new Set<string>();
  const changes: WebhookChange[] = [];

  beforeEach(async () => {
    seen.clear();
    changes.length = 0;
    h = await startShopify({ webhookSecret: secret });
    // What Kizuna's route does: verify raw bytes, dedupe by delivery id, then parse.
    const app = new Hono().post('/webhooks/shopify', async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const headers = c.req.raw.headers;
      if (!(await hooks.verify(credentials, headers, raw))) return c.text('bad signature', 401);
      const id = hooks.deliveryId(headers)!;
      if (seen.has(id)) return c.text('duplicate');
      seen.add(id);
      changes.push(...hooks.parse(headers, JSON.parse(new TextDecoder().decode(raw))));
      return c.text('ok');
    });
    server = await listen(app);
  });
  afterEach(async () => {
    await server.close();
    await h.close();
  });
  const url = () => `${server.url}/webhooks/shopify`;

  it('accepts a signed customer, keeping verified_email false', async () => {
    const c = h.fake.add.customer({ verifiedEmail: false, phone: '+818011112222' });
    const res = await h.fake.sendWebhook(url(), 'customers/create', restCustomerPayload(c));
    expect(res.status).toBe(200);
    expect(changes).toEqual([
      {
        kind: 'customer',
        customer: expect.objectContaining({
          externalId: c.id,
          emailVerified: false,
          phones: ['+818011112222'],
        }),
      },
    ]);
  });

  it('maps an order payload like the GraphQL order', async () => {
    const o = h.fake.add.order({
      fulfillments: [
        {
          createdAt: '2025-06-02T00:00:00Z',
          status: 'SUCCESS',
          trackingInfo: [{ company: '佐川急便', number: '4455' }],
        },
      ],
    });
    await h.fake.sendWebhook(url(), 'orders/updated', restOrderPayload(o));
    const [fromGraphql] = (await collect(paged.orders(h.ctx(), null)))[0]!.items;
    expect(changes).toEqual([{ kind: 'order', order: { ...fromGraphql, number: o.name } }]);
    expect(fromGraphql).toMatchObject({ carrier: 'sagawa', trackingNumber: '4455' });
  });

  it('refuses a wrong signature, a tampered body and a missing secret', async () => {
    const payload = restCustomerPayload(h.fake.add.customer());
    expect(
      (await h.fake.sendWebhook(url(), 'customers/update', payload, { signature: 'AAAA' })).status,
    ).toBe(401);
    const tamper = (raw: string) => raw.replace('"verified_email":true', '"verified_email":false');
    expect((await h.fake.sendWebhook(url(), 'customers/update', payload, { tamper })).status).toBe(
      401,
    );
    const raw = new TextEncoder().encode(JSON.stringify(payload));
    const headers = new Headers({
      'x-shopify-hmac-sha256': signShopifyWebhook(secret, JSON.stringify(payload)),
    });
    expect(await hooks.verify(credentials, headers, raw)).toBe(true);
    expect(await hooks.verify({ ...credentials, webhookSecret: undefined }, headers, raw)).toBe(
      false,
    );
    expect(changes).toEqual([]);
  });

  it('dedupes a redelivery by X-Shopify-Webhook-Id', async () => {
    const payload = restCustomerPayload(h.fake.add.customer());
    await h.fake.sendWebhook(url(), 'customers/update', payload, { webhookId: 'wh-1' });
    await h.fake.sendWebhook(url(), 'customers/update', payload, { webhookId: 'wh-1' });
    await h.fake.sendWebhook(url(), 'customers/update', payload, { webhookId: 'wh-2' });
    expect(h.fake.webhooksSent.map((w) => w.status)).toEqual([200, 200, 200]);
    expect([...seen]).toEqual(['wh-1', 'wh-2']);
    expect(changes).toHaveLength(2);
  });

  it('passes checkouts through, and fulfillments as shipments of their order', async () => {
    await h.fake.sendWebhook(url(), 'checkouts/create', { id: 9876, token: 'tok', line_items: [] });
    await h.fake.sendWebhook(url(), 'fulfillments/create', {
      id: 1,
      order_id: 2,
      status: 'success',
      created_at: '2025-06-03T09:00:00+09:00',
      tracking_company: 'Japan Post (EN)',
      tracking_numbers: ['JP1'],
    });
    // A cancelled fulfillment says nothing about shipping.
    await h.fake.sendWebhook(url(), 'fulfillments/update', {
      id: 3,
      order_id: 2,
      status: 'cancelled',
      created_at: '2025-06-04T00:00:00Z',
    });
    expect(changes).toEqual([
      { kind: 'checkout', checkoutId: '9876', payload: { id: 9876, token: 'tok', line_items: [] } },
      {
        kind: 'shipment',
        shipment: {
          orderExternalId: 'gid://shopify/Order/2',
          shippedAt: new Date('2025-06-03T00:00:00Z'),
          carrier: 'japanpost',
          trackingNumber: 'JP1',
        },
      },
    ]);
  });
});

describe('Shopify bulk export (first full import)', () => {
  const ids = (pages: Array<{ items: Array<{ externalId: string }> }>) =>
    pages.flatMap((p) => p.items.map((i) => i.externalId));
  const ops = (h: ShopifyHarness, name: string) =>
    h.fake.requests.filter((r) => r.operationName === name).length;
  let h: ShopifyHarness;
  beforeEach(async () => {
    h = await startShopify({ bulkPolls: 2 }, '2026-11-23T00:00:00Z');
  });
  afterEach(async () => {
    await h.close();
  });

  it('reads customers and orders from bulk JSONL exactly as the paged queries do', async () => {
    const data = generateShop(11, 60);
    h.fake.seed(data);
    const ctx = h.ctx();
    const bulk = createShopifyConnector({ bulkPageSize: 25 });
    const customers = await collect(bulk.customers(ctx, null));
    const orders = await collect(bulk.orders(ctx, null));
    const byId = (a: { externalId: string }, b: { externalId: string }) =>
      a.externalId.localeCompare(b.externalId);
    const pagedItems = {
      customers: (await collect(paged.customers(ctx, null))).flatMap((p) => p.items),
      orders: (await collect(paged.orders(ctx, null))).flatMap((p) => p.items),
    };
    expect(ids(customers)).toHaveLength(60);
    expect(ids(orders)).toHaveLength(data.orders.length);
    expect(customers.flatMap((p) => p.items).sort(byId)).toEqual(pagedItems.customers.sort(byId));
    expect(orders.flatMap((p) => p.items).sort(byId)).toEqual(pagedItems.orders.sort(byId));
    // One operation per list, polled by id until done; pages of 25.
    expect(ops(h, 'KizunaBulkRun')).toBe(2);
    expect(ops(h, 'KizunaBulkPoll')).toBe(6);
    expect(customers.map((p) => p.items.length)).toEqual([0, 25, 25, 10]);
    // The first page records the export, the middle ones a line in it, the last hands over to
    // the incremental sync as of the export's start.
    const cursors = customers.map((p) => JSON.parse(p.cursor!) as Record<string, unknown>);
    expect(cursors.slice(0, 3)).toEqual([
      { bulk: 'gid://shopify/BulkOperation/1', line: 0 },
      { bulk: 'gid://shopify/BulkOperation/1', line: 25 },
      { bulk: 'gid://shopify/BulkOperation/1', line: 50 },
    ]);
    expect(cursors[3]).toEqual({ u: '2026-11-23T00:00:00.000Z', id: 'gid://shopify/Customer/0' });
    expect(await collect(bulk.customers(ctx, customers.at(-1)!.cursor))).toEqual([]);
  });

  it('resumes inside the export by line, reading the same file again, never starting over', async () => {
    const data = generateShop(12, 80);
    h.fake.seed(data);
    const ctx = h.ctx();
    const bulk = createShopifyConnector({ bulkPageSize: 20 });
    const pages = await collect(bulk.orders(ctx, null));
    expect(pages.length).toBeGreaterThan(5);
    for (const k of [0, 1, 3, pages.length - 2]) {
      const rest = await collect(bulk.orders(ctx, pages[k]!.cursor));
      expect(ids(rest), `after page ${k}`).toEqual(ids(pages.slice(k + 1)));
      expect(rest.at(-1)!.cursor).toBe(pages.at(-1)!.cursor);
    }
    // Cursors fall between orders: every order keeps all its line items.
    const items = new Map(data.orders.map((o) => [orderGid(o.id), o.items.length]));
    for (const o of pages.flatMap((p) => p.items))
      expect(o.items).toHaveLength(items.get(o.externalId)!);
    expect(ops(h, 'KizunaBulkRun')).toBe(1);
    expect(h.fake.bulkDownloads.get('1')).toBe(5);
  });

  it('starts a new export when the one in the cursor is gone', async () => {
    h.fake.seed(generateShop(13, 30));
    const gone = JSON.stringify({ bulk: 'gid://shopify/BulkOperation/99', line: 40 });
    const pages = await collect(shopify.customers(h.ctx(), gone));
    expect(ids(pages)).toHaveLength(30);
    expect(ops(h, 'KizunaBulkRun')).toBe(1);
  });

  it('carries on with its own export when killed before storing the first cursor', async () => {
    h.fake.seed(generateShop(14, 30));
    const ctx = h.ctx();
    const first = shopify.customers(ctx, null)[Symbol.asyncIterator]();
    const started = (await first.next()).value as { cursor: string };
    // The process died here: the export runs on at Shopify, its id never stored.
    const pages = await collect(shopify.customers(ctx, null));
    expect(ids(pages)).toHaveLength(30);
    expect(JSON.parse(pages[0]!.cursor!)).toEqual(JSON.parse(started.cursor));
    expect(ops(h, 'KizunaBulkCurrent')).toBe(1);
  });

  it("waits for the other list's export: Shopify runs one bulk query at a time", async () => {
    h.fake.seed(generateShop(16, 30));
    const ctx = h.ctx();
    const customers = shopify.customers(ctx, null)[Symbol.asyncIterator]();
    await customers.next(); // the customers export runs
    const orders = await collect(shopify.orders(ctx, null));
    expect(ids(orders).length).toBeGreaterThan(30);
    // Asked again while the customers export ran, then started as the second operation.
    expect(ops(h, 'KizunaBulkRun')).toBeGreaterThan(2);
    expect(JSON.parse(orders[0]!.cursor!)).toEqual({
      bulk: 'gid://shopify/BulkOperation/2',
      line: 0,
    });
    const rest = [];
    for (let r = await customers.next(); !r.done; r = await customers.next()) rest.push(r.value);
    expect(ids(rest)).toHaveLength(30);
  });

  it('reports unreadable records of the export as skipped', async () => {
    h.fake.seed(generateShop(15, 30));
    h.fake.corruptNext(2);
    const pages = await collect(shopify.customers(h.ctx(), null));
    expect(ids(pages)).toHaveLength(28);
    expect(pages.flatMap((p) => p.skipped)).toHaveLength(2);
  });
});
