// 楽楽リピート connector against the fake: the shared contract on a virtual clock the fake checks
// one-request-per-second on, then what only 楽楽リピート has (500-result searches split into
// windows, OAuth2 code exchange, customers and subscriptions from orders, 継続ステータス, birthday,
// LINE id) and linking by phone with an order and by its LINE id through the database.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRakurakuConnector,
  rakuraku,
  type RakurakuCredentials,
} from '../../carts/rakuraku.ts';
import { authorizeUrl, exchangeCode } from '../../carts/rakuraku/client.ts';
import { cartSyncsBirthday } from '../../crm/birthday-sync.ts';
import { normalizeSubscriptionStatus } from '../../crm/subscription-status.ts';
import { CartDataRepository } from '../../db/cart-data.ts';
import { LinkEngine } from '../../db/links.ts';
import { generateShop, type ShopCustomer, type ShopData } from '../fakes/cart-data.ts';
import { createFakeRakuraku, MAX_RESULTS, TEIKI_STATUS } from '../fakes/rakuraku.ts';
import { insertBot, insertConnection, insertFriend } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { connectorContract } from './contract.ts';
import { all, contractHooks, fakeContext, seeded, virtualClock } from './harness.ts';

const TOKEN = 'r2r_at_5f1e2d3c4b5a69788796';
const credentials: RakurakuCredentials = {
  domain: 'shop.example.jp',
  clientId: 'cid_1234',
  clientSecret: 'sid_abcd',
  accessToken: TOKEN,
};

async function start(connectorOptions = {}) {
  const clock = virtualClock();
  const fake = createFakeRakuraku({ accessToken: TOKEN, now: clock.now });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, clock);
  const connector = createRakurakuConnector({ timeoutMs: 1000, ...connectorOptions });
  return { fake, server, ctx, clock, connector };
}

const latestUpdate = (data: ShopData) => (c: ShopCustomer) =>
  new Date(
    Math.max(...data.orders.filter((o) => o.customerId === c.id).map((o) => o.updatedAt.getTime())),
  );

connectorContract('rakuraku', async () => {
  const { fake, server, ctx, clock, connector } = await start();
  let data: ShopData | null = null;
  return {
    connector,
    ctx,
    advance: clock.advance,
    // Its seed below also keeps the shop, whose orders say when each customer last changed.
    ...contractHooks(fake, server, true),
    wrongCredentials: {
      credentials: { ...credentials, accessToken: 'expired' },
      field: 'accessToken',
    },
    seed: (shop) => {
      data = shop;
      fake.seed(shop);
    },
    customersFromOrders: true,
    customerUpdatedAt: (c) => latestUpdate(data!)(c),
  };
});

describe('楽楽リピート specifics', () => {
  // More orders than one search may output: the window must be split.
  const data = generateShop(5, 500);
  let s: Awaited<ReturnType<typeof start>>;
  beforeEach(async () => {
    s = await seeded(start(), data);
  });
  afterEach(async () => {
    await s.server.close();
  });

  it('splits the time window until each search finds ≤ 500, one request a second', async () => {
    expect(data.orders.length).toBeGreaterThan(MAX_RESULTS);
    const orders = await all(s.connector.orders(s.ctx, null));
    expect(new Set(orders.map((o) => o.externalId)).size).toBe(data.orders.length);
    const searches = s.fake.requests;
    expect(searches.length).toBeGreaterThan(2);
    expect(
      searches.every((r) => Number(r.query.limit) <= MAX_RESULTS && r.query.offset === '0'),
    ).toBe(true);
    for (let i = 1; i < searches.length; i++)
      expect(searches[i]!.at - searches[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(s.fake.violations).toEqual([]);
  });

  it('spaces requests a second apart on the real clock too', async () => {
    const real = createFakeRakuraku({ accessToken: TOKEN });
    const server = await real.listen();
    const ctx = {
      ...s.ctx,
      baseUrl: server.url,
      now: () => new Date(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    };
    await rakuraku.verify(ctx);
    await rakuraku.verify(ctx);
    await server.close();
    expect(real.requests).toHaveLength(2);
    expect(real.violations).toEqual([]);
  });

  it('the fake fails a connector that sends more than one request a second', async () => {
    await all(createRakurakuConnector({ minIntervalMs: 0 }).orders(s.ctx, null));
    expect(s.fake.violations.some((v) => v.includes('1 request per second'))).toBe(true);
  });

  it('maps 継続ステータス ご注文継続/休止/ご解約 with the raw value kept', async () => {
    const subs = await all(s.connector.subscriptions!(s.ctx, null));
    expect(subs.map((x) => x.externalId).sort()).toEqual(
      data.subscriptions.map((x) => String(x.id)).sort(),
    );
    for (const seeded of data.subscriptions) {
      const got = subs.find((x) => x.externalId === String(seeded.id))!;
      expect(got.rawStatus).toBe(TEIKI_STATUS[seeded.state]);
      expect(normalizeSubscriptionStatus('rakuraku', got.rawStatus)).toEqual({
        status: seeded.state,
        raw: TEIKI_STATUS[seeded.state],
      });
      expect(got.courseCode).toBe(seeded.courseCode);
      expect(got.customerExternalId).toBe(String(seeded.customerId));
    }
    for (const state of ['active', 'paused', 'cancelled'] as const)
      expect(data.subscriptions.some((x) => x.state === state)).toBe(true);
  });

  it('keeps birthday, LINE id and phones as given, and the subscription on each order', async () => {
    expect(cartSyncsBirthday('rakuraku')).toBe(true);
    const customers = new Map(
      (await all(s.connector.customers(s.ctx, null))).map((c) => [c.externalId, c]),
    );
    const buyers = data.customers.filter((c) => c.orderCount > 0);
    for (const c of buyers) {
      const got = customers.get(String(c.id))!;
      expect(got.birthday).toBe(c.birthday);
      expect(got.lineUserId).toBe(c.lineUserId);
      expect(got.phones).toEqual(c.phone ? [c.phone.raw] : []);
    }
    expect(buyers.some((c) => c.birthday) && buyers.some((c) => c.lineUserId)).toBe(true);
    const orders = await all(s.connector.orders(s.ctx, null));
    for (const o of orders) {
      const seeded = data.orders.find((x) => String(x.id) === o.externalId)!;
      expect(o.subscriptionExternalId).toBe(
        seeded.subscriptionId === null ? null : String(seeded.subscriptionId),
      );
      expect(o.subscriptionSequence).toBe(seeded.subscriptionSequence);
      expect(o.shippedAt).toEqual(seeded.shippedAt);
    }
  });

  it('exchanges an authorization code for the access token, and names the token when refused', async () => {
    const url = new URL(
      authorizeUrl('shop.example.jp', 'cid_1234', 'https://kizuna.example/cb', 'st'),
    );
    expect(url.origin + url.pathname).toBe('https://shop.example.jp/api/oauth/authorize.php');
    expect(url.searchParams.get('response_type')).toBe('code');
    const input = {
      ...credentials,
      redirectUri: 'https://kizuna.example/cb',
      baseUrl: s.server.url,
    };
    const code = s.fake.issueCode('cid_1234', 'sid_abcd');
    expect(await exchangeCode({ ...input, code }, fetch)).toBe(TOKEN);
    const wrong = s.fake.issueCode('cid_1234', 'sid_abcd');
    await expect(
      exchangeCode({ ...input, code: wrong, clientSecret: 'x' }, fetch),
    ).rejects.toMatchObject({
      kind: 'bad_credentials',
    });
    s.fake.inject('bad_credentials');
    await expect(all(s.connector.customers(s.ctx, null))).rejects.toMatchObject({
      kind: 'bad_credentials',
      field: 'accessToken',
    });
    expect(
      rakuraku.credentials.safeParse({ ...credentials, domain: 'https://Shop.example.jp/' }).data
        ?.domain,
    ).toBe('Shop.example.jp');
    expect(rakuraku.storeKey!(credentials)).toBe('shop.example.jp');
  });
});

describe('楽楽リピート through the fake, the database and the linking engine', () => {
  const data = generateShop(41, 80);
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

  it('links by phone once the customer has an order, and by the LINE id the cart carries', async () => {
    await insertBot(t.db, 'shop');
    const conn = await insertConnection(t.db, 'shop', 'rakuraku');
    const repo = new CartDataRepository(t.db.kysely);
    const unique = (c: ShopCustomer) =>
      c.phone && !c.samePhoneAs && !data.customers.some((x) => x.samePhoneAs === c.id);
    const buyer = data.customers.find((c) => unique(c) && c.orderCount > 0 && !c.lineUserId)!;
    const never = data.customers.find((c) => unique(c) && c.orderCount === 0)!;
    const liner = data.customers.find((c) => c.lineUserId && c.orderCount > 0)!;
    const e164 = (c: ShopCustomer) => `+81${c.phone!.digits.slice(1)}`;
    const byPhone = await insertFriend(t.db, 'shop', { phoneKey: e164(buyer) });
    const noOrder = await insertFriend(t.db, 'shop', { phoneKey: e164(never) });
    const byLine = await insertFriend(t.db, 'shop', { lineUserId: liner.lineUserId! });
    for await (const p of s.connector.customers(s.ctx, null))
      await repo.upsertCustomers(conn, p.items);
    for await (const p of s.connector.orders(s.ctx, null)) await repo.upsertOrders(conn, p.items);
    const links = await new LinkEngine(t.db.kysely).link(conn);
    const of = (friendId: string) =>
      links.filter((l) => l.friendId === friendId).map((l) => l.customerExternalId);
    expect(of(byPhone)).toEqual([String(buyer.id)]);
    expect(of(byLine)).toEqual([String(liner.id)]);
    expect(of(noOrder)).toEqual([]);
    expect(s.fake.violations).toEqual([]);
  });
});
