// makeshop connector against the fake makeshop: the shared contract on a virtual clock the fake
// checks one-request-per-second on, then what only makeshop has (XML, capped answers split into
// windows, access URLs that expire, one rule across both APIs) and linking by its LINE id.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from '../../carts/connector.ts';
import {
  createMakeshopConnector,
  makeshop,
  RESCAN_EVERY_MS,
  type MakeshopCredentials,
} from '../../carts/makeshop.ts';
import { encodePosition } from '../../carts/windows.ts';
import { CartDataRepository } from '../../db/cart-data.ts';
import { LinkEngine } from '../../db/links.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeMakeshop, MAX_OUTPUT } from '../fakes/makeshop.ts';
import { memberIdOf, orderNumberOf, orderXml } from '../fakes/makeshop/xml.ts';
import { insertBot, insertConnection, insertFriend } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { connectorContract } from './contract.ts';
import { all, contractHooks, fakeContext, NOW, seeded, virtualClock } from './harness.ts';

const credentials: MakeshopCredentials = {
  shopId: 'kizunashop',
  orderToken: '61efa02bde9d3eb5714560b233596e42',
  memberToken: '0f4c1d2e3b5a69788796a5b4c3d2e1f0',
};

async function start(clock = virtualClock(), connectorOptions = {}) {
  const fake = createFakeMakeshop({ ...credentials, now: clock.now });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, clock);
  const connector = createMakeshopConnector({ timeoutMs: 1000, ...connectorOptions });
  return { fake, server, ctx, clock, connector };
}

connectorContract('makeshop', async () => {
  const { fake, server, ctx, clock, connector } = await start();
  return {
    connector,
    ctx,
    advance: clock.advance,
    wrongCredentials: {
      credentials: { ...credentials, orderToken: 'wrong' },
      field: 'orderToken',
    },
    ...contractHooks(fake, server, true),
    customerId: (c) => memberIdOf(c),
    orderId: (o) => orderNumberOf(o),
  };
});

describe('makeshop specifics', () => {
  const data = generateShop(7, 300);
  let s: Awaited<ReturnType<typeof start>>;
  beforeEach(async () => {
    s = await seeded(start(), data);
  });
  afterEach(async () => {
    await s.server.close();
  });

  it('never sends two requests within a second, across the order and member APIs at once', async () => {
    // Two syncs of one shop at the same time: makeshop counts both against one limit.
    const [customers, orders] = await Promise.all([
      all(s.connector.customers(s.ctx, null)),
      all(s.connector.orders(s.ctx, null)),
    ]);
    expect(customers).toHaveLength(data.customers.length);
    expect(orders).toHaveLength(data.orders.length);
    const times = s.fake.requests.map((r) => r.at);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(s.fake.violations).toEqual([]);
  });

  it('spaces requests a second apart on the real clock too', async () => {
    const real = createFakeMakeshop(credentials);
    const server = await real.listen();
    const ctx = {
      ...s.ctx,
      baseUrl: server.url,
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    };
    // Both 認証コード (an order window, an access URL), then a members sync (its own access URL
    // and one window): four requests in a row.
    await makeshop.verify(ctx);
    await all(makeshop.customers(ctx, encodePosition({ t: Date.now() - 120_000, id: null })));
    await server.close();
    expect(real.requests).toHaveLength(4);
    expect(real.violations).toEqual([]);
  });

  it('the fake fails a connector that sends a second request within one second', async () => {
    const eager = createMakeshopConnector({ minIntervalMs: 0 });
    await all(eager.orders(s.ctx, null));
    expect(s.fake.violations.length).toBeGreaterThan(0);
    expect(s.fake.violations[0]).toMatch(/1 request per second/);
  });

  it('splits a window whose answer is full, asking only with the auth code and XML periods', async () => {
    const orders = await all(s.connector.orders(s.ctx, null));
    expect(new Set(orders.map((o) => o.externalId)).size).toBe(data.orders.length);
    const calls = s.fake.requests.filter((r) => r.path === '/api/orderinfo/index.html');
    expect(
      calls.every((r) => r.query.cmd === 'get' && r.query.token === credentials.orderToken),
    ).toBe(true);
    expect(calls.every((r) => /^\d{14}$/.test(r.query.start!) && r.query.canceled === '1')).toBe(
      true,
    );
    expect(calls.length).toBeGreaterThan(data.orders.length / MAX_OUTPUT);
    expect(s.fake.violations).toEqual([]);
  });

  it('issues a new access URL before the old one expires, and never uses an expired one', async () => {
    // A slow shop: every second of pacing is a minute on this clock.
    const slow = await start(virtualClock(NOW.getTime(), 60));
    slow.fake.seed(data);
    const customers = await all(slow.connector.customers(slow.ctx, null));
    expect(customers).toHaveLength(data.customers.length);
    const issued = slow.fake.requests.filter((r) => r.path === '/api/member/');
    expect(issued.length).toBeGreaterThan(1);
    expect(slow.fake.violations).toEqual([]);
    await slow.server.close();
  });

  it('keeps phones raw, the LINE id, birthday and points; maps status, shipping and totals', async () => {
    const customers = new Map(
      (await all(s.connector.customers(s.ctx, null))).map((c) => [c.externalId, c]),
    );
    for (const c of data.customers) {
      const got = customers.get(memberIdOf(c))!;
      expect(got.phones).toEqual(c.phone ? [c.phone.raw] : []);
      expect(got.lineUserId).toBe(c.lineUserId);
      expect(got.birthday).toBe(c.birthday);
      expect(got.emailVerified).toBeNull();
    }
    expect(data.customers.some((c) => c.lineUserId)).toBe(true);
    expect(data.customers.some((c) => c.phone?.format === 'fullwidth')).toBe(true);
    const orders = new Map(
      (await all(s.connector.orders(s.ctx, null))).map((o) => [o.externalId, o]),
    );
    for (const o of data.orders) {
      const got = orders.get(orderNumberOf(o))!;
      expect(got.cancelled).toBe(o.state === 'cancelled');
      expect(got.status).toBe(o.state === 'cancelled' ? 'キャンセル' : '通常');
      expect(got.shippedAt).toEqual(o.shippedAt);
      expect(got.carrier).toBe(o.carrier);
      expect(got.requestedDeliveryDate).toBe(o.deliveryDate);
      expect(got.totalAmount).toBe(o.total);
    }
  });

  it('rereads recent orders for shipments at most every 3 hours, keeping its cursor', async () => {
    let cursor: string | null = null;
    for await (const p of s.connector.orders(s.ctx, null)) cursor = p.cursor;
    expect(await all(s.connector.orders(s.ctx, cursor))).toEqual([]);
    const pending = [...data.orders].reverse().find((o) => o.state === 'pending')!;
    const owner = data.customers.find((c) => c.id === pending.customerId)!;
    const shippedAt = new Date(NOW.getTime() + 3_600_000);
    const shipped = {
      ...pending,
      state: 'shipped' as const,
      shippedAt,
      carrier: 'sagawa' as const,
      trackingNumber: '4455',
    };
    s.fake.orders.set(orderNumberOf(pending), orderXml(shipped, owner));
    s.clock.advance(RESCAN_EVERY_MS);
    const pages: Array<Page<{ externalId: string; shippedAt: Date | null }>> = [];
    for await (const p of s.connector.orders(s.ctx, cursor)) pages.push(p);
    const got = pages.flatMap((p) => p.items).find((o) => o.externalId === orderNumberOf(pending));
    expect(got?.shippedAt).toEqual(shippedAt);
    expect(await all(s.connector.orders(s.ctx, pages.at(-1)!.cursor))).toEqual([]);
  });

  it('names the auth code refused, per API, and validates credentials', async () => {
    const order = await makeshop
      .verify({ ...s.ctx, credentials: { ...credentials, orderToken: 'x' } })
      .catch((e: unknown) => e);
    expect(order).toMatchObject({ kind: 'bad_credentials', field: 'orderToken' });
    const member = await s.connector
      .verify({ ...s.ctx, credentials: { ...credentials, memberToken: 'x' } })
      .catch((e: unknown) => e);
    expect(member).toMatchObject({ kind: 'bad_credentials', field: 'memberToken' });
    expect(makeshop.credentials.safeParse({ ...credentials, shopId: ' ' }).success).toBe(false);
    expect(makeshop.storeKey!({ ...credentials, shopId: ' KizunaShop ' })).toBe('kizunashop');
    expect(await all(s.connector.orders(s.ctx, 'garbage')).catch((e: unknown) => e)).toMatchObject({
      kind: 'malformed',
    });
  });
});

describe('makeshop through the fake, the database and the linking engine', () => {
  const data = generateShop(31, 80);
  let t: TestDb;
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await openTestDb();
    s = await seeded(start(), data);
  });
  afterAll(async () => {
    await s.server.close();
    await t.close();
  });

  it('links by the LINE id the member carries, and never by phone alone', async () => {
    await insertBot(t.db, 'shop');
    const conn = await insertConnection(t.db, 'shop', 'makeshop');
    const repo = new CartDataRepository(t.db.kysely);
    const withLine = data.customers.find((c) => c.lineUserId && c.orderCount > 0)!;
    const phoneOnly = data.customers.find((c) => !c.lineUserId && c.phone && c.orderCount > 0)!;
    const byLine = await insertFriend(t.db, 'shop', { lineUserId: withLine.lineUserId! });
    const byPhone = await insertFriend(t.db, 'shop', {
      phoneKey: `+81${phoneOnly.phone!.digits.slice(1)}`,
    });
    for await (const p of s.connector.customers(s.ctx, null))
      await repo.upsertCustomers(conn, p.items);
    for await (const p of s.connector.orders(s.ctx, null)) await repo.upsertOrders(conn, p.items);
    const links = await new LinkEngine(t.db.kysely).link(conn);
    expect(links.filter((l) => l.friendId === byLine)).toEqual([
      {
        friendId: byLine,
        connectionId: conn.id,
        customerExternalId: memberIdOf(withLine),
        rule: expect.any(String),
      },
    ]);
    expect(links.filter((l) => l.friendId === byPhone)).toEqual([]);
    expect(s.fake.violations).toEqual([]);
  });
});
