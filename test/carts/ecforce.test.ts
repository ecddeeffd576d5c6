// ecforce connector against the fake ecforce Admin API: the shared contract, then what only
// ecforce has (placeholder e-mails, 定期受注 states, split phone fields, Rails token header).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CartError, type ConnectorContext } from '../../carts/connector.ts';
import { createEcforceConnector, ecforce, type EcforceCredentials } from '../../carts/ecforce.ts';
import { normalizeSubscriptionStatus } from '../../crm/subscription-status.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeEcforce, type FakeEcforce } from '../fakes/ecforce.ts';
import { connectorContract } from './contract.ts';
import { all, contractHooks, fakeContext, heldClock, seeded } from './harness.ts';

const TOKEN = 'b2f0c7e4a1d94c3e8f5a6b7c8d9e0f1a';
const credentials: EcforceCredentials = { shopDomain: 'shop.example.com', apiToken: TOKEN };
// Short enough that an injected hang costs the suite little, long enough for a loaded machine.
const connector = createEcforceConnector({ timeoutMs: 1000 });

async function start() {
  const fake = createFakeEcforce({ apiToken: TOKEN });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, heldClock());
  return { fake, server, ctx };
}

connectorContract('ecforce', async () => {
  const { fake, server, ctx } = await start();
  return {
    connector,
    ctx,
    wrongCredentials: { credentials: { ...credentials, apiToken: 'wrong' }, field: 'apiToken' },
    ...contractHooks(fake, server),
  };
});

describe('ecforce specifics', () => {
  const data = generateShop(7, 300);
  let fake: FakeEcforce;
  let ctx: ConnectorContext<EcforceCredentials>;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ fake, ctx, close } = await seeded(start(), data));
  });
  afterEach(() => close());

  it('sends the Rails token header, per=100 and the updated_at sort', async () => {
    const headers: string[] = [];
    const spy: typeof fetch = (input, init) => {
      headers.push(new Headers(init?.headers).get('authorization') ?? '');
      return fetch(input, init);
    };
    await all(connector.customers({ ...ctx, fetch: spy }, null));
    expect(new Set(headers)).toEqual(new Set([`Token token="${TOKEN}"`]));
    const first = fake.requests[0]!;
    expect(first.path).toBe('/api/v2/admin/customers.json');
    expect(first.query).toMatchObject({
      per: '100',
      sort: 'updated_at,id',
      include: 'billing_address',
    });
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('misses nothing when customers change while a sync is paging', async () => {
    const seen = new Set<string>();
    let first = true;
    for await (const page of connector.customers(ctx, null)) {
      for (const c of page.items) seen.add(c.externalId);
      // Edited records jump to the end of the updated_at order: plain page numbers would now
      // skip as many unseen records as were edited.
      if (first) fake.touch(page.items.slice(0, 10).map((c) => Number(c.externalId)));
      first = false;
    }
    expect(seen.size).toBe(data.customers.length);
  });

  it('flags placeholder e-mails as unverified and keeps real ones unknown', async () => {
    const customers = await all(connector.customers(ctx, null));
    const placeholders = data.customers.filter((c) => c.emailPlaceholder);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const c of customers) {
      const seeded = data.customers.find((s) => String(s.id) === c.externalId)!;
      expect(c.emailVerified).toBe(seeded.emailPlaceholder ? false : null);
      expect(c.customData?.['自動生成メール']).toBe(seeded.emailPlaceholder);
      expect(c.number).toBe(seeded.number);
      expect(c.nameKana).toBe(`${seeded.familyKana} ${seeded.givenKana}`);
    }
  });

  it('joins tel01-tel03 when the phone was typed into the split fields', async () => {
    const customers = await all(connector.customers(ctx, null));
    const split = data.customers.filter((c) => c.phone?.format === 'split');
    expect(split.length).toBeGreaterThan(0);
    for (const s of split) {
      const c = customers.find((x) => x.externalId === String(s.id))!;
      expect(c.phones).toEqual([s.phone!.parts.join('-')]);
    }
  });

  it('keeps 定期受注 states raw (active/suspend/canceled) and they normalize', async () => {
    const subs = await all(connector.subscriptions!(ctx, null));
    expect(new Set(subs.map((s) => s.rawStatus))).toEqual(
      new Set(['active', 'suspend', 'canceled']),
    );
    const want = { active: 'active', suspend: 'paused', canceled: 'cancelled' } as const;
    for (const s of subs) {
      const seeded = data.subscriptions.find((x) => String(x.id) === s.externalId)!;
      expect(normalizeSubscriptionStatus('ecforce', s.rawStatus).status).toBe(seeded.state);
      expect(want[s.rawStatus as keyof typeof want]).toBe(seeded.state);
      expect(s.customerExternalId).toBe(String(seeded.customerId));
      expect(s.courseCode).toBe(seeded.productCode);
    }
  });

  it('maps orders: carrier, tracking, delivery date and subscription delivery', async () => {
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const seeded = data.orders.find((x) => String(x.id) === o.externalId)!;
      expect(o.carrier).toBe(seeded.carrier);
      expect(o.trackingNumber).toBe(seeded.trackingNumber);
      expect(o.requestedDeliveryDate).toBe(seeded.deliveryDate);
      expect(o.orderedAt.getTime()).toBe(seeded.orderedAt.getTime());
      expect(o.subscriptionExternalId).toBe(
        seeded.subscriptionId === null ? null : String(seeded.subscriptionId),
      );
      expect(o.subscriptionSequence).toBe(seeded.subscriptionSequence);
    }
    expect(orders.some((o) => o.subscriptionSequence !== null)).toBe(true);
  });

  it('honours Retry-After on 429', async () => {
    const sleeps: number[] = [];
    fake.inject('rate_limit');
    await all(
      connector.customers({ ...ctx, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) }, null),
    );
    expect(sleeps).toEqual([2000]);
  });

  it('names shopDomain when the shop does not exist (404 or DNS failure)', async () => {
    const missing = await connector
      .verify({ ...ctx, baseUrl: `${ctx.baseUrl}/no-such-shop` })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: 'not_found', field: 'shopDomain' });
    const dns: typeof fetch = () =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
        }),
      );
    const noHost = await ecforce
      .verify({ ...ctx, baseUrl: undefined, fetch: dns })
      .catch((e: unknown) => e);
    expect(noHost).toBeInstanceOf(CartError);
    expect(noHost).toMatchObject({ kind: 'not_found', field: 'shopDomain' });
  });

  it('validates credentials: a domain, a token', () => {
    expect(
      ecforce.credentials.safeParse({ shopDomain: ' Shop.Example.com ', apiToken: 'x' }).data,
    ).toEqual({
      shopDomain: 'shop.example.com',
      apiToken: 'x',
    });
    expect(
      ecforce.credentials.safeParse({ shopDomain: 'https://shop', apiToken: '' }).success,
    ).toBe(false);
  });

  it('lists the whole catalog across pages, with codes order lines carry', async () => {
    const catalog = Array.from({ length: 130 }, (_, i) => ({
      code: `P-${String(i).padStart(3, '0')}`,
      name: `商品 ${i}`,
      price: 1000 + i,
      courseCode: null,
    }));
    fake.seedProducts(catalog);
    const products = await all(connector.products!(ctx));
    expect(products).toHaveLength(130);
    expect(products[1]).toEqual({
      externalId: '2',
      code: 'P-001',
      name: '商品 1',
      price: 1001,
      url: 'https://shop.example.com/shop/products/P-001',
      imageUrl: 'https://img.example/ecforce/P-001.jpg',
      updatedAt: new Date('2026-10-01T00:00:00Z'),
    });
    const listed = fake.requests.filter((r) => r.path.endsWith('/products.json'));
    expect(listed.map((r) => r.query.page)).toEqual(['1', '2']);
  });

  it('rejects a cursor it did not write', async () => {
    const e = await all(connector.customers(ctx, 'garbage')).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'malformed' });
  });
});
