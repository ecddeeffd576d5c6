// サブスクストア connector against its fake: the shared contract, what only サブスクストア has
// (application id + secret key headers, offset paging, ISO datetimes, 継続 / 停止 / 終了), and the
// real import into the database (phone linking, birthdays, statuses).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartConnector, ConnectorContext } from '../../carts/connector.ts';
import {
  createSubscStoreConnector,
  subscStore,
  type SubscStoreCredentials,
} from '../../carts/subsc-store.ts';
import { normalizeSubscriptionStatus } from '../../crm/subscription-status.ts';
import { generateShop } from '../fakes/cart-data.ts';
import {
  createFakeSubscStore,
  SUBSC_STORE_STATUS,
  type FakeSubscStore,
} from '../fakes/subsc-store.ts';
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

const APP_ID = 'app-20261123';
const SECRET = 'sk_5d1e0c9b7a6f4e3d2c1b';
const credentials: SubscStoreCredentials = {
  shopDomain: 'shop.example.com',
  applicationId: APP_ID,
  secretKey: SECRET,
};
const connector = createSubscStoreConnector({ timeoutMs: 1000 });

async function start(clock?: { t: number }) {
  const fake = createFakeSubscStore({
    applicationId: APP_ID,
    secretKey: SECRET,
    clock: clock && (() => clock.t),
  });
  const server = await fake.listen();
  const ctx = fakeContext(credentials, `${server.url}/api/v1`, heldClock(clock));
  return { fake, server, ctx };
}

connectorContract('サブスクストア', async () => {
  const { fake, server, ctx } = await start();
  return {
    connector,
    ctx,
    wrongCredentials: { credentials: { ...credentials, secretKey: 'wrong' }, field: 'secretKey' },
    ...contractHooks(fake, server),
    holds: { lineUserId: false },
  };
});

describe('サブスクストア specifics', () => {
  const data = generateShop(13, 250);
  const clock = { t: NOW.getTime() };
  let fake: FakeSubscStore;
  let ctx: ConnectorContext<SubscStoreCredentials>;
  let close: () => Promise<void>;
  beforeEach(async () => {
    clock.t += 60_000;
    ({ fake, ctx, close } = await seeded(start(clock), data));
  });
  afterEach(() => closeClean(fake, close));

  it('sends both credential headers, pages by offset and resumes from the last updated_at', async () => {
    const sent: string[] = [];
    const spy: typeof fetch = (input, init) => {
      const h = new Headers(init?.headers);
      sent.push(`${h.get('x-application-id')}/${h.get('x-secret-key')}`);
      return fetch(input, init);
    };
    expect(await all(connector.customers({ ...ctx, fetch: spy }, null))).toHaveLength(250);
    expect(new Set(sent)).toEqual(new Set([`${APP_ID}/${SECRET}`]));
    const [first, second] = fake.requests;
    expect(first).toMatchObject({
      path: '/api/v1/customers',
      query: { limit: '100', offset: '0', order: 'updated_at' },
    });
    expect(first!.query.updated_since).toBeUndefined();
    expect(second!.query.updated_since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
  });

  it('keeps one request per second (on the client clock) even while retrying', async () => {
    fake.inject('rate_limit', 1);
    fake.inject('server_error', 2);
    await all(connector.orders(ctx, null));
    expect(fake.requests.length).toBeGreaterThan(4);
  });

  it('keeps phones raw in each form the shop typed, all normalizing to the same E.164', async () => {
    expectRawPhones(await all(connector.customers(ctx, null)), data);
  });

  it('maps customers: member number, kana, birthday; no LINE id', async () => {
    const customers = await all(connector.customers(ctx, null));
    for (const c of customers) {
      const s = data.customers.find((x) => String(x.id) === c.externalId)!;
      expect(c).toMatchObject({
        number: s.number,
        nameKana: `${s.familyKana} ${s.givenKana}`,
        birthday: s.birthday,
        lineUserId: null,
        emailVerified: null,
        createdAt: s.createdAt,
      });
    }
  });

  it('keeps 継続 / 停止 / 終了 raw; each normalizes, anything else to unknown', async () => {
    fake.setSubscriptionStatus(data.subscriptions[0]!.id, '一時休止');
    const subs = await all(connector.subscriptions!(ctx, null));
    expect(subs).toHaveLength(data.subscriptions.length);
    for (const s of subs) {
      const seeded = data.subscriptions.find((x) => String(x.id) === s.externalId)!;
      const { status } = normalizeSubscriptionStatus('subsc_store', s.rawStatus);
      if (seeded === data.subscriptions[0]) {
        expect({ raw: s.rawStatus, status }).toEqual({ raw: '一時休止', status: 'unknown' });
        continue;
      }
      expect(s.rawStatus).toBe(SUBSC_STORE_STATUS[seeded.state]);
      expect(status).toBe(seeded.state);
      expect(s.courseCode).toBe(seeded.courseCode);
    }
    expect(new Set(subs.map((s) => s.rawStatus))).toEqual(
      new Set(['継続', '停止', '終了', '一時休止']),
    );
  });

  it('maps orders: shipped datetime, carrier, slip number, 定期 delivery, cancellation', async () => {
    const orders = await all(connector.orders(ctx, null));
    for (const o of orders) {
      const s = data.orders.find((x) => String(x.id) === o.externalId)!;
      expect(o.shippedAt?.getTime() ?? null).toBe(s.shippedAt?.getTime() ?? null);
      expect(o.carrier).toBe(s.carrier);
      expect(o.trackingNumber).toBe(s.trackingNumber);
      expect(o.requestedDeliveryDate).toBe(s.deliveryDate);
      expect(o.subscriptionSequence).toBe(s.subscriptionSequence);
      expect(o.cancelled).toBe(s.state === 'cancelled');
    }
  });

  it('names the secret key when refused at connect time; revoked mid-sync', async () => {
    const e = await connector
      .verify({ ...ctx, credentials: { ...credentials, applicationId: 'other' } })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'bad_credentials', field: 'secretKey' });
    clock.t += 1000;
    fake.inject('bad_credentials');
    expect(await all(connector.orders(ctx, null)).catch((x: unknown) => x)).toMatchObject({
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
    const c = subscStore as CartConnector<SubscStoreCredentials>;
    expect(
      c.credentials.safeParse({
        shopDomain: 'SHOP.example.com',
        applicationId: ' a ',
        secretKey: 's',
      }).data,
    ).toEqual({ shopDomain: 'shop.example.com', applicationId: 'a', secretKey: 's' });
    expect(c.credentials.safeParse({ ...credentials, secretKey: ' ' }).success).toBe(false);
    expect(c.storeKey!(credentials)).toBe('shop.example.com');
    expect(c.customerAdminUrl(credentials, { externalId: '7' })).toBe(
      'https://shop.example.com/admin/customers/7',
    );
  });
});

phoneCartImports('サブスクストア', {
  kind: 'subsc_store',
  connector: connector as CartConnector<unknown>,
  credentials,
  statuses: SUBSC_STORE_STATUS,
  async start() {
    const fake = createFakeSubscStore({ applicationId: APP_ID, secretKey: SECRET });
    const server = await fake.listen();
    return { ...fake, url: `${server.url}/api/v1`, close: server.close };
  },
});
