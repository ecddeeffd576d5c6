// Rakuten RMS connector against the fake Rakuten Pay order API: the shared contract, then what
// only Rakuten has (date windows, the 2-year limit, getOrder batches, customers made from
// orderers, split phones, masked e-mails, shipments per package, 定期購入 orders).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorContext, Page } from '../../carts/connector.ts';
import type { CartOrder } from '../../crm/cart.ts';
import {
  createRakutenConnector,
  HISTORY_MS,
  rakuten,
  WINDOW_MS,
  type RakutenCredentials,
} from '../../carts/rakuten.ts';
import { ordererId } from '../../carts/rakuten/map.ts';
import { joinPhoneParts, normalizePhone } from '../../crm/identity.ts';
import { CartDataRepository } from '../../db/cart-data.ts';
import { LinkEngine } from '../../db/links.ts';
import { generateShop, type ShopCustomer, type ShopData } from '../fakes/cart-data.ts';
import { createFakeRakuten, type FakeRakuten } from '../fakes/rakuten.ts';
import {
  expectedShippedAt,
  maskedEmailOf,
  orderNumberOf,
  phonePartsOf,
  reserveNumberOf,
  splitsPackages,
} from '../fakes/rakuten/orders.ts';
import { parseRakutenTime } from '../fakes/rakuten/validate.ts';
import { insertBot, insertConnection, insertFriend } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { connectorContract } from './contract.ts';
import { all, contractHooks, fakeContext, NOW, seeded } from './harness.ts';

const SECRET = 'SP384756_aBcDeFgHiJkLmNoP';
const LICENSE = 'SL384756_qRsTuVwXyZ012345';
const credentials: RakutenCredentials = { serviceSecret: SECRET, licenseKey: LICENSE };
/** The oldest order the connector asks for: 730 days back, less its 10-minute margin. */
const FLOOR = NOW.getTime() - HISTORY_MS + 10 * 60_000;
// Short enough that an injected hang costs the suite little, long enough for a loaded machine.
const connector = createRakutenConnector({ timeoutMs: 1000, minIntervalMs: 0 });

async function start(now = () => NOW) {
  const fake = createFakeRakuten({ serviceSecret: SECRET, licenseKey: LICENSE, now });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, { now, sleep: () => Promise.resolve() });
  return { fake, server, ctx };
}

/** The id the connector gives each seeded customer (a digest of what their orders say). */
async function idsOf(data: ShopData): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const c of data.customers) {
    const [phoneNumber1, phoneNumber2, phoneNumber3] = phonePartsOf(c);
    const orderer = { phoneNumber1, phoneNumber2, phoneNumber3, familyName: c.familyName };
    ids.set(
      c.id,
      await ordererId({ ...orderer, firstName: c.givenName, emailAddress: maskedEmailOf(c) }),
    );
  }
  return ids;
}

const latestOrder = (data: ShopData) => (c: ShopCustomer) =>
  new Date(
    Math.max(...data.orders.filter((o) => o.customerId === c.id).map((o) => o.orderedAt.getTime())),
  );

connectorContract('rakuten', async () => {
  const { fake, server, ctx } = await start();
  let byId = new Map<number, string>();
  let data: ShopData | null = null;
  return {
    connector,
    ctx,
    // Its seed below also works out the ids the connector will give the customers.
    ...contractHooks(fake, server, true),
    wrongCredentials: {
      credentials: { ...credentials, licenseKey: 'expired' },
      field: 'licenseKey',
    },
    seed: async (shop) => {
      data = shop;
      fake.seed(shop);
      byId = await idsOf(shop);
    },
    customerId: (c) => byId.get(c.id)!,
    orderId: (o) => orderNumberOf(o),
    storedPhones: (c) => (c.phone ? [joinPhoneParts(phonePartsOf(c))] : []),
    storedEmail: (c) => maskedEmailOf(c),
    customerUpdatedAt: (c) => latestOrder(data!)(c),
    shippedAt: (o) => expectedShippedAt(o),
    holds: { birthday: false, lineUserId: false },
    customersFromOrders: true,
    listsOrder: (o) => o.orderedAt.getTime() >= FLOOR,
  };
});

type SearchBody = {
  dateType: number;
  startDatetime: string;
  endDatetime: string;
  PaginationRequestModel: { requestRecordsAmount: number; requestPage: number };
};
const searches = (fake: FakeRakuten) =>
  fake.requests.filter((r) => r.path.endsWith('/searchOrder/')).map((r) => r.body as SearchBody);
const getOrders = (fake: FakeRakuten) =>
  fake.requests
    .filter((r) => r.path.endsWith('/getOrder/'))
    .map((r) => r.body as { orderNumberList: string[]; version: number });

describe('Rakuten specifics', () => {
  const data = generateShop(11, 300);
  let fake: FakeRakuten;
  let ctx: ConnectorContext<RakutenCredentials>;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ fake, ctx, close } = await seeded(start(), data));
  });
  afterEach(async () => {
    await close();
    expect(fake.violations).toEqual([]);
  });

  it('sends ESA auth and JSON, searches ≤ 63-day windows no further back than 730 days', async () => {
    const headers: Array<[string, string]> = [];
    const spy: typeof fetch = (input, init) => {
      const h = new Headers(init?.headers);
      headers.push([h.get('authorization') ?? '', h.get('content-type') ?? '']);
      return fetch(input, init);
    };
    await all(connector.orders({ ...ctx, fetch: spy }, null));
    expect(new Set(headers.map((h) => h.join(' | ')))).toEqual(
      new Set([`ESA ${btoa(`${SECRET}:${LICENSE}`)} | application/json; charset=utf-8`]),
    );
    const windows = searches(fake);
    expect(windows.every((b) => b.dateType === 1)).toBe(true);
    expect(windows.every((b) => b.PaginationRequestModel.requestRecordsAmount === 1000)).toBe(true);
    const spans = windows.map((b): [number, number] => [
      parseRakutenTime(b.startDatetime)!,
      parseRakutenTime(b.endDatetime)!,
    ]);
    for (const [s, e] of spans) {
      expect(e - s).toBeLessThanOrEqual(WINDOW_MS);
      expect(s).toBeGreaterThanOrEqual(NOW.getTime() - HISTORY_MS);
    }
    // Two years in 63-day windows, tiling the range without gaps or overlaps up to the settle
    // margin before now.
    expect(spans.length).toBeGreaterThanOrEqual(12);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1] + 1000);
    expect(spans.at(-1)![1]).toBe(NOW.getTime() - 5 * 60_000);
  });

  it('never asks for orders older than 2 years, and imports none', async () => {
    const orders = await all(connector.orders(ctx, null));
    const floor = NOW.getTime() - HISTORY_MS;
    const old = data.orders.filter((o) => o.orderedAt.getTime() < floor + 10 * 60_000);
    expect(old.length).toBeGreaterThan(0);
    expect(orders).toHaveLength(data.orders.length - old.length);
    expect(orders.every((o) => o.orderedAt.getTime() >= floor)).toBe(true);
    // A cursor from long ago resumes at the 2-year edge, not before it.
    await all(
      connector.orders(ctx, JSON.stringify({ a: { t: '2020-01-01T00:00:00+0900', n: null } })),
    );
  });

  it('asks getOrder for at most 100 numbers at a time, version 10', async () => {
    await all(connector.orders(ctx, null));
    const batches = getOrders(fake);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.orderNumberList.length <= 100 && b.version === 10)).toBe(true);
    expect(batches.some((b) => b.orderNumberList.length === 100)).toBe(true);
  });

  it('splits a window that finds more than a page, and pages one crowded second', async () => {
    const small = createRakutenConnector({ minIntervalMs: 0, pageSize: 7 });
    const orders = await all(small.orders(ctx, null));
    const unique = new Set(orders.map((o) => o.externalId));
    expect(unique.size).toBe(orders.length);
    const all2y = await all(connector.orders(ctx, null));
    expect([...unique].sort()).toEqual(all2y.map((o) => o.externalId).sort());
    const leaves = searches(fake).filter(
      (b) => b.PaginationRequestModel.requestRecordsAmount === 7,
    );
    expect(leaves.length).toBeGreaterThan(all2y.length / 7);
    // Twenty customers order again in one second: more than a page, read over its pages.
    let last: string | null = null;
    for await (const p of small.customers(ctx, null)) last = p.cursor;
    const touched = Array.from({ length: 20 }, (_, i) => i + 1);
    fake.touch(touched);
    fake.requests.length = 0;
    const again = await all(small.customers(ctx, last));
    const ids = await idsOf(data);
    expect(again.map((c) => c.externalId).sort()).toEqual(
      [...new Set(touched.map((id) => ids.get(id)!))].sort(),
    );
    expect(searches(fake).some((b) => b.PaginationRequestModel.requestPage > 1)).toBe(true);
  });

  it('makes one customer per orderer, with the phone joined from its three fields', async () => {
    const customers = new Map(
      (await all(connector.customers(ctx, null))).map((c) => [c.externalId, c]),
    );
    const ids = await idsOf(data);
    const listed = new Set(
      data.orders.filter((o) => o.orderedAt.getTime() >= FLOOR).map((o) => o.customerId),
    );
    const phoned = data.customers.filter((c) => c.phone && listed.has(c.id));
    expect(phoned.some((c) => c.phone!.format === 'plain')).toBe(true);
    for (const s of phoned) {
      const c = customers.get(ids.get(s.id)!)!;
      expect(c.phones, `customer ${s.id}`).toEqual([joinPhoneParts(phonePartsOf(s))]);
      expect(normalizePhone(c.phones[0]!)).toEqual({
        ok: true,
        e164: `+81${s.phone!.digits.slice(1)}`,
      });
    }
    // Typed without breaks: the middle field is null and the parts still join.
    const plain = phoned.find((c) => c.phone!.format === 'plain')!;
    expect(phonePartsOf(plain)[1]).toBeNull();
    // Same orderer, several orders: one customer id, on every order.
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const seeded = data.orders.find((x) => orderNumberOf(x) === o.externalId)!;
      expect(o.customerExternalId).toBe(ids.get(seeded.customerId));
    }
    expect(data.customers.some((c) => c.orderCount >= 3 && listed.has(c.id))).toBe(true);
  });

  it('keeps the masked e-mail as the customer number, never verified', async () => {
    const customers = await all(connector.customers(ctx, null));
    for (const c of customers) {
      expect(c.email).toMatch(/@pc\.fw\.rakuten\.ne\.jp$/);
      expect(c.number).toBe(c.email);
      expect(c.emailVerified).toBe(false);
      expect(c.birthday).toBeNull();
      expect(c.lineUserId).toBeNull();
    }
  });

  it('dates a shipment by its last package, with that package carrier and tracking number', async () => {
    const orders = await all(connector.orders(ctx, null));
    const recent = data.orders.filter((o) => o.orderedAt.getTime() >= FLOOR);
    const split = recent.filter((o) => splitsPackages(o) && o.shippedAt);
    expect(split.length).toBeGreaterThan(0);
    for (const s of split) {
      const o = orders.find((x) => x.externalId === orderNumberOf(s))!;
      expect(o.shippedAt).toEqual(expectedShippedAt(s));
      expect(o.trackingNumber).toBe(s.trackingNumber);
      expect(o.carrier).toBe(s.carrier);
    }
    for (const s of recent.filter((o) => !o.shippedAt)) {
      const o = orders.find((x) => x.externalId === orderNumberOf(s))!;
      expect(o.shippedAt).toBeNull();
    }
  });

  it('maps 定期購入/頒布会 orders to their application number and delivery count', async () => {
    const orders = await all(connector.orders(ctx, null));
    const subs = data.orders.filter((o) => o.subscriptionId !== null);
    expect(subs.length).toBeGreaterThan(0);
    for (const o of orders) {
      const seeded = data.orders.find((x) => orderNumberOf(x) === o.externalId)!;
      const sub = data.subscriptions.find((s) => s.id === seeded.subscriptionId);
      expect(o.subscriptionExternalId).toBe(sub ? reserveNumberOf(sub) : null);
      expect(o.subscriptionSequence).toBe(seeded.subscriptionSequence);
      expect(o.items[0]!.courseCode ?? null).toBe(sub ? sub.productCode : null);
      expect(o.totalAmount).toBe(seeded.total);
      expect(o.requestedDeliveryDate).toBe(seeded.deliveryDate);
      expect(o.cancelled).toBe(seeded.state === 'cancelled');
    }
    expect(rakuten.subscriptions).toBeUndefined();
  });

  it('picks up shipments reported after the import, without re-reading other orders', async () => {
    let cursor: string | null = null;
    for await (const p of connector.orders(ctx, null)) cursor = p.cursor;
    expect(await all(connector.orders(ctx, cursor))).toEqual([]);
    const pending = data.orders.find((o) => o.state === 'pending')!;
    const shipped = new Date(NOW.getTime() + 3_600_000);
    fake.ship(orderNumberOf(pending), shipped);
    const later = { ...ctx, now: () => new Date(NOW.getTime() + 2 * 3_600_000) };
    const pages: Array<Page<CartOrder>> = [];
    for await (const p of connector.orders(later, cursor)) pages.push(p);
    expect(pages.flatMap((p) => p.items.map((o) => o.externalId))).toEqual([
      orderNumberOf(pending),
    ]);
    const o = pages[0]!.items[0]!;
    expect(o.shippedAt).toEqual(new Date('2026-11-23T00:00:00+09:00'));
    expect(o.updatedAt).toEqual(shipped);
    // Only the shipment axis was searched, from where the import left it.
    const since = searches(fake).slice(-1)[0]!;
    expect(since.dateType).toBe(5);
    expect(await all(connector.orders(later, pages.at(-1)!.cursor))).toEqual([]);
  });

  it('skips an order it cannot read, naming its number, and imports the rest', async () => {
    const full = await all(connector.orders(ctx, null));
    fake.inject('malformed_record');
    const pages: Array<Page<CartOrder>> = [];
    for await (const p of connector.orders(ctx, null)) pages.push(p);
    const skipped = pages.flatMap((p) => p.skipped);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toContain('orderDatetime');
    const got = pages.flatMap((p) => p.items.map((o) => o.externalId));
    expect([...got, skipped[0]!.externalId].sort()).toEqual(full.map((o) => o.externalId).sort());
  });

  it('spaces requests a second apart by default and honours Retry-After on 429', async () => {
    const sleeps: number[] = [];
    fake.inject('rate_limit');
    await rakuten.verify({ ...ctx, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(sleeps).toEqual([2000, 1000]);
  });

  it('names the licence key when ESA auth is refused, at connect time and mid-sync', async () => {
    const e = await connector
      .verify({ ...ctx, credentials: { ...credentials, serviceSecret: 'x' } })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'bad_credentials', field: 'licenseKey' });
    fake.inject('bad_credentials');
    const mid = await all(connector.customers(ctx, null)).catch((x: unknown) => x);
    expect(mid).toMatchObject({ kind: 'bad_credentials', field: 'licenseKey' });
  });

  it('validates credentials and rejects a cursor it did not write', async () => {
    expect(rakuten.credentials.safeParse({ serviceSecret: ' s ', licenseKey: 'k' }).data).toEqual({
      serviceSecret: 's',
      licenseKey: 'k',
    });
    expect(rakuten.credentials.safeParse({ serviceSecret: '', licenseKey: 'k' }).success).toBe(
      false,
    );
    const e = await all(connector.orders(ctx, 'garbage')).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'malformed' });
  });
});

describe('Rakuten through the fake, the database and the linking engine', () => {
  const data = generateShop(23, 60);
  let t: TestDb;
  let fake: FakeRakuten;
  let ctx: ConnectorContext<RakutenCredentials>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    t = await openTestDb();
    ({ fake, ctx, close } = await seeded(start(), data));
  });
  afterAll(async () => {
    await close();
    await t.close();
  });

  it('links by phone once the orderer has an order, never by the masked e-mail', async () => {
    await insertBot(t.db, 'shop');
    const conn = await insertConnection(t.db, 'shop', 'rakuten');
    const repo = new CartDataRepository(t.db.kysely);
    const ids = await idsOf(data);
    const buyer = data.customers.find(
      (c) =>
        c.phone &&
        !c.samePhoneAs &&
        !data.customers.some((x) => x.samePhoneAs === c.id) &&
        data.orders.some((o) => o.customerId === c.id && o.orderedAt.getTime() >= FLOOR),
    )!;
    const byPhone = await insertFriend(t.db, 'shop', {
      phoneKey: `+81${buyer.phone!.digits.slice(1)}`,
    });
    const byMail = await insertFriend(t.db, 'shop', { emailKey: maskedEmailOf(buyer) });
    for await (const p of connector.customers(ctx, null)) await repo.upsertCustomers(conn, p.items);
    for await (const p of connector.orders(ctx, null)) await repo.upsertOrders(conn, p.items);
    const links = await new LinkEngine(t.db.kysely).link(conn);
    expect(links.filter((l) => l.friendId === byPhone)).toEqual([
      {
        friendId: byPhone,
        connectionId: conn.id,
        customerExternalId: ids.get(buyer.id),
        rule: 'phone',
      },
    ]);
    expect(links.filter((l) => l.friendId === byMail)).toEqual([]);
    const stored = await t.db.kysely
      .selectFrom('cart_customers')
      .select(['email', 'email_key', 'email_verified', 'number'])
      .where('external_id', '=', ids.get(buyer.id)!)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      email: maskedEmailOf(buyer),
      email_key: null,
      email_verified: false,
      number: maskedEmailOf(buyer),
    });
    expect(fake.violations).toEqual([]);
  });
});

describe('the fake Rakuten API', () => {
  let fake: FakeRakuten;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    const s = await start();
    fake = s.fake;
    url = s.server.url;
    close = s.server.close;
  });
  afterEach(() => close());

  const post = (path: string, body: unknown) =>
    fetch(`${url}/es/2.0/order/${path}/`, {
      method: 'POST',
      headers: {
        Authorization: `ESA ${btoa(`${SECRET}:${LICENSE}`)}`,
        'Content-Type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify(body),
    });
  const search = (start: string, end: string, amount = 1000) => ({
    dateType: 1,
    startDatetime: start,
    endDatetime: end,
    PaginationRequestModel: { requestRecordsAmount: amount, requestPage: 1 },
  });

  it.each([
    ['a 64-day window', search('2026-09-01T00:00:00+0900', '2026-11-04T00:00:01+0900'), '63日'],
    [
      'a start 2 years back',
      search('2024-11-01T00:00:00+0900', '2024-12-01T00:00:00+0900'),
      '730日',
    ],
    [
      '1001 orders a page',
      search('2026-10-01T00:00:00+0900', '2026-10-02T00:00:00+0900', 1001),
      '1000',
    ],
  ])('refuses %s in Rakuten’s shape and records it', async (_, body, words) => {
    const res = await post('searchOrder', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as {
      MessageModelList: Array<{ messageType: string; message: string }>;
    };
    expect(json.MessageModelList[0]).toMatchObject({ messageType: 'ERROR' });
    expect(json.MessageModelList[0]!.message).toContain(words);
    expect(fake.violations).toHaveLength(1);
    fake.violations.length = 0;
  });

  it('refuses getOrder for 101 numbers and records it', async () => {
    const numbers = Array.from(
      { length: 101 },
      (_, i) => `384756-20261001-${String(i).padStart(8, '0')}`,
    );
    const res = await post('getOrder', { orderNumberList: numbers, version: 10 });
    expect(res.status).toBe(400);
    expect(fake.violations).toEqual([expect.stringContaining('100件')]);
    fake.violations.length = 0;
  });
});
