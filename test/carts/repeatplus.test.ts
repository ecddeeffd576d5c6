// リピスト connector against its fake: the shared contract, what only リピスト has (Bearer token,
// page numbers, JST datetimes, 発送日 as a date, 継続 / 一時停止 / 解約済), and the real import into
// the database (phone linking, birthdays, statuses).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartConnector, ConnectorContext } from '../../carts/connector.ts';
import {
  createRepeatplusConnector,
  repeatplus,
  type RepeatplusCredentials,
} from '../../carts/repeatplus.ts';
import { normalizeSubscriptionStatus } from '../../crm/subscription-status.ts';
import { generateShop, type ShopOrder } from '../fakes/cart-data.ts';
import {
  createFakeRepeatplus,
  REPEATPLUS_STATUS,
  type FakeRepeatplus,
} from '../fakes/repeatplus.ts';
import { connectorContract } from './contract.ts';
import {
  all,
  closeClean,
  contractHooks,
  expectRawPhones,
  fakeContext,
  heldClock,
  NOW,
  seeded,
} from './harness.ts';
import { phoneCartImports } from './phone-cart-imports.ts';

const TOKEN = 'rp_7f3a9c2e51b84d06a1e2';
const credentials: RepeatplusCredentials = { shopDomain: 'shop.example.com', accessToken: TOKEN };
const connector = createRepeatplusConnector({ timeoutMs: 1000 });
const JST = 9 * 3_600_000;
/** 発送日 is a date: the order shipped at that day's midnight in JST. */
const shippedDay = (o: ShopOrder) =>
  o.shippedAt &&
  new Date(Math.floor((o.shippedAt.getTime() + JST) / 86_400_000) * 86_400_000 - JST);

async function start(clock?: { t: number }) {
  const fake = createFakeRepeatplus({ accessToken: TOKEN, clock: clock && (() => clock.t) });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, `${server.url}/api/v1`, heldClock(clock));
  return { fake, server, ctx };
}

connectorContract('リピスト', async () => {
  const { fake, server, ctx } = await start();
  return {
    connector,
    ctx,
    wrongCredentials: {
      credentials: { ...credentials, accessToken: 'wrong' },
      field: 'accessToken',
    },
    ...contractHooks(fake, server),
    holds: { lineUserId: false },
    shippedAt: shippedDay,
  };
});

describe('リピスト specifics', () => {
  const data = generateShop(11, 250);
  const clock = { t: NOW.getTime() };
  let fake: FakeRepeatplus;
  let ctx: ConnectorContext<RepeatplusCredentials>;
  let close: () => Promise<void>;
  beforeEach(async () => {
    clock.t += 60_000;
    ({ fake, ctx, close } = await seeded(start(clock), data));
  });
  afterEach(() => closeClean(fake, close));

  it('sends the Bearer token, pages by page number and resumes from the last updated_at', async () => {
    const auth: string[] = [];
    const spy: typeof fetch = (input, init) => {
      auth.push(new Headers(init?.headers).get('authorization') ?? '');
      return fetch(input, init);
    };
    expect(await all(connector.customers({ ...ctx, fetch: spy }, null))).toHaveLength(250);
    expect(new Set(auth)).toEqual(new Set([`Bearer ${TOKEN}`]));
    const [first, second] = fake.requests;
    expect(first).toMatchObject({
      path: '/api/v1/customers',
      query: { limit: '100', page: '1', sort: 'updated_at' },
    });
    expect(first!.query.updated_at_from).toBeUndefined();
    expect(second!.query.updated_at_from).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('keeps one request per second (on the client clock) even while retrying', async () => {
    fake.inject('server_error', 2);
    await all(connector.orders(ctx, null));
    expect(fake.requests.length).toBeGreaterThan(4);
    // The fake records any request closer than 1 s to the previous one (afterEach).
  });

  it('keeps phones raw in each form the shop typed, all normalizing to the same E.164', async () => {
    expectRawPhones(await all(connector.customers(ctx, null)), data);
  });

  it('maps customers: number, kana, birthday; no LINE id; e-mail unverified-unknown', async () => {
    const customers = await all(connector.customers(ctx, null));
    for (const c of customers) {
      const s = data.customers.find((x) => String(x.id) === c.externalId)!;
      expect(c).toMatchObject({
        number: s.number,
        name: `${s.familyName} ${s.givenName}`,
        nameKana: `${s.familyKana} ${s.givenKana}`,
        birthday: s.birthday,
        lineUserId: null,
        emailVerified: null,
      });
    }
  });

  it('keeps 継続 / 一時停止 / 解約済 raw; each normalizes, anything else to unknown', async () => {
    fake.setSubscriptionStatus(data.subscriptions[0]!.id, '休止中');
    const subs = await all(connector.subscriptions!(ctx, null));
    expect(subs).toHaveLength(data.subscriptions.length);
    for (const s of subs) {
      const seeded = data.subscriptions.find((x) => String(x.id) === s.externalId)!;
      const { status } = normalizeSubscriptionStatus('repeatplus', s.rawStatus);
      if (seeded === data.subscriptions[0]) {
        expect({ raw: s.rawStatus, status }).toEqual({ raw: '休止中', status: 'unknown' });
        continue;
      }
      expect(s.rawStatus).toBe(REPEATPLUS_STATUS[seeded.state]);
      expect(status).toBe(seeded.state);
      expect(s.customerExternalId).toBe(String(seeded.customerId));
      expect(s.courseCode).toBe(seeded.courseCode);
      expect(s.deliveries).toBe(seeded.deliveries);
    }
    expect(new Set(subs.map((s) => s.rawStatus))).toEqual(
      new Set(['継続', '一時停止', '解約済', '休止中']),
    );
  });

  it('maps orders: 発送日 at JST midnight, carrier, tracking, 定期 delivery, cancellation', async () => {
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const s = data.orders.find((x) => String(x.id) === o.externalId)!;
      expect(o.shippedAt?.getTime() ?? null).toBe(shippedDay(s)?.getTime() ?? null);
      expect(o.carrier).toBe(s.carrier);
      expect(o.trackingNumber).toBe(s.trackingNumber);
      expect(o.requestedDeliveryDate).toBe(s.deliveryDate);
      expect(o.subscriptionExternalId).toBe(
        s.subscriptionId === null ? null : String(s.subscriptionId),
      );
      expect(o.subscriptionSequence).toBe(s.subscriptionSequence);
      expect(o.cancelled).toBe(s.state === 'cancelled');
    }
    expect(orders.some((o) => o.cancelled) && orders.some((o) => o.subscriptionSequence)).toBe(
      true,
    );
  });

  it('names the token (and the IP allow-list) when refused at connect time; revoked mid-sync', async () => {
    const e = await connector
      .verify({ ...ctx, credentials: { ...credentials, accessToken: 'nope' } })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'bad_credentials', field: 'accessToken' });
    expect((e as Error).message).toContain('IP');
    // Requests are spaced within one sync; two syncs in a row are a second apart by the clock.
    clock.t += 1000;
    fake.inject('bad_credentials');
    expect(await all(connector.customers(ctx, null)).catch((x: unknown) => x)).toMatchObject({
      kind: 'revoked',
    });
  });

  it('names the domain when the shop is not found', async () => {
    const e = await connector
      .verify({ ...ctx, baseUrl: `${ctx.baseUrl}/nowhere` })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'not_found', field: 'shopDomain' });
  });

  it('validates credentials, keys the store by its domain, links to the admin', () => {
    const c = repeatplus as CartConnector<RepeatplusCredentials>;
    expect(
      c.credentials.safeParse({ shopDomain: ' Shop.Example.COM ', accessToken: ' t ' }).data,
    ).toEqual({
      shopDomain: 'shop.example.com',
      accessToken: 't',
    });
    expect(c.credentials.safeParse({ shopDomain: 'https://x', accessToken: '' }).success).toBe(
      false,
    );
    expect(c.storeKey!(credentials)).toBe('shop.example.com');
    expect(c.customerAdminUrl(credentials, { externalId: '42' })).toBe(
      'https://shop.example.com/admin/customer/edit/42',
    );
  });

  it('rejects a cursor it did not write', async () => {
    expect(await all(connector.customers(ctx, '{"u":"x"}')).catch((x: unknown) => x)).toMatchObject(
      {
        kind: 'malformed',
      },
    );
  });
});

phoneCartImports('リピスト', {
  kind: 'repeatplus',
  connector: connector as CartConnector<unknown>,
  credentials,
  statuses: REPEATPLUS_STATUS,
  async start() {
    const fake = createFakeRepeatplus({ accessToken: TOKEN });
    const server = await fake.listen();
    return { ...fake, url: `${server.url}/api/v1`, close: server.close };
  },
});
