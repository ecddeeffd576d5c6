// カラーミーショップ connector against the fake カラーミー API: the shared contract, then what only
// カラーミー has (the 120-a-minute guideline, offset paging in an unpromised order, flags instead of
// a status, linking by LINE id only), and linking through a real import into the database.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { colorme, createColormeConnector, type ColormeCredentials } from '../../carts/colorme.ts';
import type { CartConnector, ConnectorContext } from '../../carts/connector.ts';
import type { ConnectionRepository } from '../../db/connections.ts';
import { LinkEngine } from '../../db/links.ts';
import { importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeColorme, RATE_PER_MINUTE, type FakeColorme } from '../fakes/colorme.ts';
import { insertFriend } from '../helpers/carts.ts';
import type { TestDb } from '../helpers/db.ts';
import { connectorContract } from './contract.ts';
import { all, contractHooks, fakeContext, importDb, seeded, virtualClock } from './harness.ts';

const TOKEN = 'cm-0123456789abcdef';
const credentials: ColormeCredentials = { accessToken: TOKEN };
/** The connector's sleeps move the clock forward and the fake reads it: the rate is counted on it. */
async function start(clock = virtualClock()) {
  const fake = createFakeColorme({
    accessToken: TOKEN,
    tokenWithoutScope: 'no-scope',
    now: clock.now,
  });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, clock);
  return { fake, server, ctx, clock };
}

connectorContract('colorme', async () => {
  const { fake, server, ctx } = await start();
  return {
    connector: createColormeConnector({ timeoutMs: 1000 }),
    ctx,
    wrongCredentials: { credentials: { accessToken: 'wrong' }, field: 'accessToken' },
    ...contractHooks(fake, server),
  };
});

describe('カラーミーショップ specifics', () => {
  const data = generateShop(13, 900);
  const connector = createColormeConnector({ timeoutMs: 1000, windowMax: 200 });
  let fake: FakeColorme;
  let ctx: ConnectorContext<ColormeCredentials>;
  let close: () => Promise<void>;
  let checkRate = true;
  beforeEach(async () => {
    ({ fake, ctx, close } = await seeded(start(), data));
    checkRate = true;
  });
  afterEach(async () => {
    if (checkRate) expect(fake.violations).toEqual([]);
    await close();
  });

  it('keeps to 120 requests a minute over a long import, sending Bearer, limit 50 and the filters', async () => {
    const customers = await all(connector.customers(ctx, null));
    const orders = await all(connector.orders(ctx, null));
    expect(customers).toHaveLength(data.customers.length);
    expect(orders).toHaveLength(data.orders.length);
    expect(fake.requests.length).toBeGreaterThan(RATE_PER_MINUTE);
    const first = fake.requests[0]!;
    expect(first.path).toBe('/v1/customers.json');
    expect(first.query).toMatchObject({
      update_date_min: '2000-01-01 00:00:00',
      update_date_max: '2026-11-23 08:59:00',
      limit: '50',
      offset: '0',
    });
  });

  it('the fake counts the guideline: a connector that does not pace breaks it', async () => {
    checkRate = false;
    const hasty = createColormeConnector({ minIntervalMs: 0, windowMax: 200 });
    for (let i = 0; i < 2; i++) {
      await all(hasty.customers(ctx, null));
      await all(hasty.orders(ctx, null));
    }
    expect(fake.violations.length).toBeGreaterThan(0);
    expect(fake.violations[0]).toMatch(/within a minute/);
  });

  it('reads a window again when a sale changes while it is paged, and misses none', async () => {
    let edited = false;
    const spy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!edited && new URL(String(input)).searchParams.get('offset') === '50') {
        edited = true;
        // The newest-id-first listing shifts when this sale leaves the window.
        fake.editSale(data.orders.at(-1)!.id);
      }
      return res;
    };
    const orders = await all(connector.orders({ ...ctx, fetch: spy }, null));
    expect(edited).toBe(true);
    const want = data.orders
      .filter((o) => o.id !== data.orders.at(-1)!.id)
      .map((o) => String(o.id));
    expect(new Set(orders.map((o) => o.externalId))).toEqual(new Set(want));
  });

  it('maps customers: both phone fields raw, LINE id, birthday and custom data', async () => {
    const customers = await all(connector.customers(ctx, null));
    expect(data.customers.some((c) => c.phone?.landline)).toBe(true);
    for (const c of customers) {
      const s = data.customers.find((x) => String(x.id) === c.externalId)!;
      expect(c.phones).toEqual(s.phone ? [s.phone.raw] : []);
      expect(c.lineUserId).toBe(s.lineUserId);
      expect(c.birthday).toBe(s.birthday);
      expect(c.emailVerified).toBeNull();
      expect(c.customData).toMatchObject({ 購入回数: s.orderCount, ポイント: s.orderCount * 50 });
    }
  });

  it('maps sales: cancelled, shipped at the 発送完了メール, tracking and お届け希望日', async () => {
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const s = data.orders.find((x) => String(x.id) === o.externalId)!;
      expect(o.cancelled).toBe(s.state === 'cancelled');
      expect(o.status).toBe(
        { cancelled: 'canceled', shipped: 'delivered', pending: 'accepted' }[s.state],
      );
      expect(o.shippedAt).toEqual(s.shippedAt);
      expect(o.trackingNumber).toBe(s.trackingNumber);
      expect(o.requestedDeliveryDate).toBe(s.deliveryDate);
      expect(o.subscriptionExternalId).toBeNull();
    }
  });

  it('names the access token when it lacks read_sales, and has no store key', async () => {
    const e = await colorme
      .verify({ ...ctx, credentials: { accessToken: 'no-scope' } })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'bad_credentials', field: 'accessToken' });
    expect(colorme.storeKey).toBeUndefined();
    expect(colorme.credentials.safeParse({ accessToken: ' t ' }).data).toEqual({
      accessToken: 't',
    });
    expect(colorme.credentials.safeParse({ accessToken: '' }).success).toBe(false);
    const bad = await all(connector.customers(ctx, 'garbage')).catch((x: unknown) => x);
    expect(bad).toMatchObject({ kind: 'malformed' });
  });
});

describe('カラーミーショップ through a real import, the database and the linking engine', () => {
  const data = generateShop(31, 60);
  let t: TestDb;
  let deps: ImportDeps;
  let connections: ConnectionRepository;
  let fake: FakeColorme;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const s = await seeded(start(), data);
    ({ t, connections, deps } = await importDb(s.clock));
    ({ fake, close } = s);
    url = s.server.url;
  });
  afterAll(async () => {
    await close();
    await t.close();
  });

  it('links by the cart LINE id alone, never by phone or e-mail', async () => {
    const withLine = data.customers.find((c) => c.lineUserId)!;
    const other = data.customers.find(
      (c) => !c.lineUserId && c.phone && c.email && c.orderCount > 0,
    )!;
    const byLine = await insertFriend(t.db, 'shop', { lineUserId: withLine.lineUserId! });
    const byPhoneAndMail = await insertFriend(t.db, 'shop', {
      phoneKey: `+81${other.phone!.digits.slice(1)}`,
      emailKey: other.email!.trim().toLowerCase(),
    });
    const connection = (await connections.create({
      botId: 'shop',
      cart: 'colorme',
      name: 'カラーミーショップ',
      credentials,
      baseUrl: url,
    }))!;
    const cart = createColormeConnector() as CartConnector<unknown>;
    const customers = await importResource(deps, cart, connection, 'customers');
    const orders = await importResource(deps, cart, connection, 'orders');
    expect(customers.imported).toBe(data.customers.length);
    expect(orders.imported).toBe(data.orders.length);
    const links = [...customers.links, ...orders.links];
    expect(
      links.filter((l) => l.friendId === byLine).map((l) => [l.customerExternalId, l.rule]),
    ).toEqual([[String(withLine.id), 'line_id']]);
    expect(links.filter((l) => l.friendId === byPhoneAndMail)).toEqual([]);
    const unlinked = await new LinkEngine(t.db.kysely).unlinked('shop');
    const reason = unlinked.find((u) => u.friendId === byPhoneAndMail)?.carts[0]?.reason;
    // The cart's LINE ids are in use and none is this friend's: it carries no id of this channel.
    expect(['no_customer_with_line_id', 'line_id_of_other_channel']).toContain(reason);
    expect(fake.violations).toEqual([]);
  });
});
