// futureshop connector against the fake futureshop API: the shared contract, then what only
// futureshop has (the client-credentials token, nextUrl paging, member fields as custom data,
// the mobile address preferred), and linking through a real import into the database.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CartConnector, ConnectorContext, Page } from '../../carts/connector.ts';
import {
  createFutureshopConnector,
  futureshop,
  type FutureshopCredentials,
} from '../../carts/futureshop.ts';
import { customerKeys } from '../../crm/cart-keys.ts';
import type { ConnectionRepository } from '../../db/connections.ts';
import { importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeFutureshop, PAGE, type FakeFutureshop } from '../fakes/futureshop.ts';
import { jstYmd, mobileMailOf, orderNoOf, shippedDayOf } from '../fakes/futureshop/records.ts';
import { insertFriend } from '../helpers/carts.ts';
import type { TestDb } from '../helpers/db.ts';
import { connectorContract } from './contract.ts';
import { all, closeClean, contractHooks, fakeContext, importDb, NOW, seeded } from './harness.ts';

const credentials: FutureshopCredentials = {
  apiDomain: 'api.shop.example',
  shopKey: 'shop-1234',
  clientId: 'client-abc',
  clientSecret: 'secret-xyz',
};
/** futureshop's fake paces nothing: sleeps are instant and the test moves the clock by hand. */
const instant = (clock: { now: Date }) => ({
  now: () => clock.now,
  sleep: () => Promise.resolve(),
});

async function start(
  clock = { now: NOW },
  connector = createFutureshopConnector({ timeoutMs: 1000 }),
) {
  const fake = createFakeFutureshop({ ...credentials, now: () => clock.now });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, server.url, instant(clock));
  return { fake, server, ctx, connector };
}

connectorContract('futureshop', async () => {
  const { fake, server, ctx, connector } = await start();
  return {
    connector,
    ctx,
    wrongCredentials: {
      credentials: { ...credentials, clientSecret: 'wrong' },
      field: 'clientSecret',
    },
    ...contractHooks(fake, server),
    orderId: orderNoOf,
    shippedAt: shippedDayOf,
  };
});

describe('futureshop specifics', () => {
  const data = generateShop(11, 260);
  let fake: FakeFutureshop;
  let ctx: ConnectorContext<FutureshopCredentials>;
  let connector: CartConnector<FutureshopCredentials>;
  let clock: { now: Date };
  let close: () => Promise<void>;
  beforeEach(async () => {
    clock = { now: NOW };
    ({ fake, ctx, connector, close } = await seeded(start(clock), data));
  });
  afterEach(() => closeClean(fake, close));

  it('gets a token with Basic client id:secret and the shop key, then calls with Bearer', async () => {
    const seen: Array<{ path: string; auth: string; shop: string }> = [];
    const spy: typeof fetch = (input, init) => {
      const h = new Headers(init?.headers);
      seen.push({
        path: new URL(String(input)).pathname,
        auth: h.get('authorization') ?? '',
        shop: h.get('x-shop-key') ?? '',
      });
      return fetch(input, init);
    };
    await all(connector.customers({ ...ctx, fetch: spy }, null));
    expect(seen[0]).toEqual({
      path: '/oauth/token',
      auth: `Basic ${btoa('client-abc:secret-xyz')}`,
      shop: 'shop-1234',
    });
    expect(seen.slice(1).every((s) => s.auth === `Bearer ${fake.tokensIssued[0]}`)).toBe(true);
    expect(seen.slice(1).every((s) => s.shop === 'shop-1234')).toBe(true);
  });

  it('keeps the token until it expires, then asks for a new one', async () => {
    await all(connector.customers(ctx, null));
    await all(connector.orders(ctx, null));
    expect(fake.tokensIssued).toHaveLength(1);
    clock.now = new Date(NOW.getTime() + 3600_000);
    await all(connector.customers(ctx, null));
    expect(fake.tokensIssued).toHaveLength(2);
    // Asked before it ran out: no call was refused.
    expect(fake.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it('asks for a new token once when a call is refused with 401, and carries on', async () => {
    await all(connector.customers(ctx, null));
    fake.expireTokens();
    const orders = await all(connector.orders(ctx, null));
    expect(orders).toHaveLength(data.orders.length);
    expect(fake.tokensIssued).toHaveLength(2);
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('follows nextUrl through a second crowded with more than a page', async () => {
    const crowded = data.customers.slice(0, PAGE + 30).map((c) => c.id);
    fake.touch(crowded);
    const last = (await all(connector.customers(ctx, null))).length;
    expect(last).toBe(data.customers.length);
    const pages = fake.requests.filter((r) => r.query.page !== undefined);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((r) => r.query.updateDateStart !== undefined)).toBe(true);
  });

  it('leaves updates of the last minute for the next sync, then picks them up', async () => {
    const latest = Math.max(...data.customers.map((c) => c.updatedAt.getTime()));
    const fresh = data.customers
      .filter((c) => c.updatedAt.getTime() === latest)
      .map((c) => String(c.id));
    clock.now = new Date(latest + 30_000);
    const pages: Array<Page<{ externalId: string }>> = [];
    for await (const p of connector.customers(ctx, null)) pages.push(p);
    const first = pages.flatMap((p) => p.items.map((c) => c.externalId));
    expect(first).toHaveLength(data.customers.length - fresh.length);
    expect(first.filter((id) => fresh.includes(id))).toEqual([]);
    clock.now = new Date(latest + 61_000);
    const later = await all(connector.customers(ctx, pages.at(-1)!.cursor));
    expect(later.map((c) => c.externalId).sort()).toEqual([...fresh].sort());
  });

  it('keeps the member fields as custom data, both e-mails, and matches the mobile one', async () => {
    const customers = await all(connector.customers(ctx, null));
    const both = data.customers.filter((c) => c.email && mobileMailOf(c));
    expect(both.length).toBeGreaterThan(0);
    for (const c of customers) {
      const s = data.customers.find((x) => String(x.id) === c.externalId)!;
      expect(c.mobileEmail).toBe(mobileMailOf(s));
      expect(c.emailVerified).toBeNull();
      expect(c.customData).toMatchObject({
        会員ID: String(s.id),
        会員ステージ: ['レギュラー', 'シルバー', 'ゴールド'][s.orderCount % 3],
        購入ポイント数: s.orderCount * 120,
        購入ポイント有効期限: jstYmd(new Date(s.updatedAt.getTime() + 365 * 86_400_000)),
        生年月日: s.birthday,
        Eメールアドレス: s.email,
        携帯メールアドレス: mobileMailOf(s),
        追加属性項目1: s.id % 2 ? 'ウェブ' : '店舗',
        最終更新日時: s.updatedAt.toISOString(),
      });
      const key = customerKeys('futureshop', c).emailKey;
      if (mobileMailOf(s)) expect(key).toBe(mobileMailOf(s));
      else if (s.email) expect(key).toBe(s.email.trim().toLowerCase());
    }
  });

  it('maps orders: shipped day, carrier, tracking, 定期 number and delivery', async () => {
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const s = data.orders.find((x) => orderNoOf(x) === o.externalId)!;
      expect(o.customerExternalId).toBe(String(s.customerId));
      expect(o.orderedAt).toEqual(s.orderedAt);
      expect(o.shippedAt).toEqual(shippedDayOf(s));
      expect(o.carrier).toBe(s.carrier);
      expect(o.trackingNumber).toBe(s.trackingNumber);
      expect(o.requestedDeliveryDate).toBe(s.deliveryDate);
      expect(o.cancelled).toBe(s.state === 'cancelled');
      expect(o.subscriptionExternalId).toBe(
        s.subscriptionId === null ? null : `T${s.subscriptionId}`,
      );
      expect(o.subscriptionSequence).toBe(s.subscriptionSequence);
    }
    expect(orders.some((o) => o.subscriptionSequence !== null)).toBe(true);
  });

  it('spaces calls a second apart and honours Retry-After on 429', async () => {
    const sleeps: number[] = [];
    fake.inject('rate_limit');
    await all(
      connector.customers({ ...ctx, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) }, null),
    );
    expect(sleeps[0]).toBe(2000);
    expect(sleeps.slice(1).every((ms) => ms === 1000)).toBe(true);
  });

  it('names the API domain when it is not futureshop, and never sends the token elsewhere', async () => {
    const e = await futureshop
      .verify({ ...ctx, baseUrl: `${ctx.baseUrl}/nowhere` })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'not_found', field: 'apiDomain' });
    const hijack: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!new URL(String(input)).pathname.startsWith('/admin-api')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      return Response.json({ ...body, nextUrl: 'https://evil.example/admin-api/v1/members' });
    };
    const out = await all(connector.customers({ ...ctx, fetch: hijack }, null)).catch(
      (x: unknown) => x,
    );
    expect(out).toMatchObject({ kind: 'malformed' });
  });

  it('validates credentials, keys the store by shop key and rejects a foreign cursor', async () => {
    const parsed = futureshop.credentials.safeParse({
      apiDomain: ' API.Shop.Example ',
      shopKey: ' k ',
      clientId: 'i',
      clientSecret: 's',
    });
    expect(parsed.data).toEqual({
      apiDomain: 'api.shop.example',
      shopKey: 'k',
      clientId: 'i',
      clientSecret: 's',
    });
    expect(futureshop.credentials.safeParse({ ...credentials, clientSecret: '' }).success).toBe(
      false,
    );
    expect(futureshop.storeKey!(credentials)).toBe('shop-1234');
    const e = await all(connector.customers(ctx, 'garbage')).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'malformed' });
  });
});

describe('futureshop through a real import, the database and the linking engine', () => {
  const data = generateShop(29, 80);
  let t: TestDb;
  let deps: ImportDeps;
  let connections: ConnectionRepository;
  let fake: FakeFutureshop;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, connections, deps } = await importDb(instant({ now: NOW })));
    const s = await seeded(start(), data);
    ({ fake, close } = s);
    url = s.server.url;
  });
  afterAll(async () => {
    await close();
    await t.close();
  });

  it('links by the mobile e-mail when both exist, by the e-mail otherwise, and by LINE id', async () => {
    const both = data.customers.find((c) => c.email && mobileMailOf(c) && !c.lineUserId)!;
    const pcOnly = data.customers.find(
      (c) => c.email && !mobileMailOf(c) && !c.lineUserId && c.orderCount === 0,
    )!;
    const withLine = data.customers.find((c) => c.lineUserId)!;
    const friends = {
      mobile: await insertFriend(t.db, 'shop', { emailKey: mobileMailOf(both) }),
      pcOfBoth: await insertFriend(t.db, 'shop', { emailKey: both.email!.trim().toLowerCase() }),
      pcOnly: await insertFriend(t.db, 'shop', { emailKey: pcOnly.email!.trim().toLowerCase() }),
      line: await insertFriend(t.db, 'shop', { lineUserId: withLine.lineUserId! }),
    };
    const connection = (await connections.create({
      botId: 'shop',
      cart: 'futureshop',
      name: 'futureshop',
      credentials,
      baseUrl: url,
      storeKey: futureshop.storeKey!(credentials),
    }))!;
    const cart = createFutureshopConnector() as CartConnector<unknown>;
    const customers = await importResource(deps, cart, connection, 'customers');
    const orders = await importResource(deps, cart, connection, 'orders');
    expect(customers.imported).toBe(data.customers.length);
    expect(orders.imported).toBe(data.orders.length);
    const links = [...customers.links, ...orders.links];
    const of = (friendId: string) =>
      links.filter((l) => l.friendId === friendId).map((l) => [l.customerExternalId, l.rule]);
    expect(of(friends.mobile)).toEqual([[String(both.id), 'email']]);
    // The PC address of a member who also has a mobile one is not the one matched (F2.4).
    expect(of(friends.pcOfBoth)).toEqual([]);
    // An e-mail link needs no order.
    expect(of(friends.pcOnly)).toEqual([[String(pcOnly.id), 'email']]);
    expect(of(friends.line)).toContainEqual([String(withLine.id), 'line_id']);
    const stored = await t.db.kysely
      .selectFrom('cart_customers')
      .select(['email_key', 'mobile_email', 'custom_data'])
      .where('external_id', '=', String(both.id))
      .executeTakeFirstOrThrow();
    expect(stored.email_key).toBe(mobileMailOf(both));
    expect(stored.custom_data).toMatchObject({ 会員ID: String(both.id) });
    expect(fake.violations).toEqual([]);
  });
});
