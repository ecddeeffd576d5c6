// F3.5: a failed sync tells staff (a console notice, and the notice webhook when configured), once
// per problem however often it recurs, and the notice closes when the next sync works.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { listenApp, type Listening } from '../fakes/listen.ts';
import { openTestApp, type TestApp } from '../helpers/app.ts';

const TOKEN = 'n0t1ce00n0t1ce00n0t1ce00n0t1ce00';
let t: TestApp;
let fake: ReturnType<typeof createFakeEcforce>;
let cart: Listening;
let hook: Listening;
/** What the notice webhook received. */
const posted: Array<{ text: string; notice: { kind: string; subject: string } }> = [];
let connectionId: string;

beforeAll(async () => {
  const receiver = new Hono().post('/hook', async (c) => {
    posted.push(await c.req.json());
    return c.body(null, 200);
  });
  hook = await listenApp(receiver);
  t = await openTestApp({ noticeWebhookUrl: `${hook.url}/hook` });
  fake = createFakeEcforce({ apiToken: TOKEN });
  fake.seed(generateShop(11, 20));
  cart = await fake.listen();
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
  const res = await t.api('POST', '/api/bots/shop/connections', {
    cart: 'ecforce',
    name: '本店',
    credentials: { shopDomain: 'shop.example.com', apiToken: TOKEN },
    baseUrl: cart.url,
  });
  expect(res.status).toBe(201);
  connectionId = (await res.json()).id;
  await drain();
});
afterAll(async () => {
  await cart.close();
  await hook.close();
  await t.close();
});

async function drain() {
  while ((await t.kizuna.queue.runDue(100)) > 0);
}
const syncNow = async () => {
  const res = await t.api('POST', `/api/bots/shop/connections/${connectionId}/sync`);
  expect(res.status).toBe(202);
  await drain();
};
const notices = async (state = 'open') => {
  const res = await t.api('GET', `/api/bots/shop/notices?state=${state}`);
  expect(res.status).toBe(200);
  return (await res.json()).items as Array<Record<string, unknown>>;
};

describe('notices of failed syncs', () => {
  it('has none while syncs work', async () => {
    expect(await notices()).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('opens one notice per failing resource, in words a shop understands, and posts it once', async () => {
    fake.inject('bad_credentials', 1000);
    await syncNow();
    const open = await notices();
    expect(open.length).toBe(4); // customers, orders, subscriptions, products
    for (const notice of open) {
      expect(notice).toMatchObject({ kind: 'sync_failed', occurrences: 1, resolvedAt: null });
      expect(notice.message).toMatch(/^本店 \(ecforce\), \w+: the access token was revoked/);
      expect(notice.subject).toMatch(new RegExp(`^${connectionId}:`));
    }
    expect(posted.map((p) => p.notice.subject).sort()).toEqual(open.map((n) => n.subject).sort());
    expect(posted[0]!.text).toContain('[Kizuna] bot shop: a cart sync failed');
    // The webhook carries no secret of the cart.
    expect(JSON.stringify(posted)).not.toContain(TOKEN);
  });

  it('counts the same failure again on the open notice without posting again', async () => {
    const before = posted.length;
    await syncNow();
    const open = await notices();
    expect(open.length).toBe(4);
    expect(open.every((n) => n.occurrences === 2)).toBe(true);
    expect(posted.length).toBe(before);
  });

  it('closes the notices when the next sync works, keeping them in the history', async () => {
    // The shop fixed its credentials: reset drops the injected faults (and the data, seeded again).
    fake.reset();
    fake.seed(generateShop(11, 20));
    await syncNow();
    expect(await notices()).toEqual([]);
    const all = await notices('all');
    expect(all.length).toBe(4);
    expect(all.every((n) => n.resolvedBy === 'recovered' && n.resolvedAt !== null)).toBe(true);
  });

  it('lets staff dismiss a notice, which opens afresh if the problem comes back', async () => {
    fake.inject('bad_credentials', 1000);
    await syncNow();
    const [first] = await notices();
    const res = await t.api('POST', `/api/bots/shop/notices/${first!.id}/dismiss`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: first!.id, resolvedBy: 'staff' });
    expect((await notices()).map((n) => n.id)).not.toContain(first!.id);
    const before = posted.length;
    await syncNow();
    const again = (await notices()).find((n) => n.subject === first!.subject);
    expect(again).toMatchObject({ occurrences: 1 });
    expect(again!.id).not.toBe(first!.id);
    expect(posted.length).toBe(before + 1);
  });
});

describe('bad input', () => {
  it('answers 400 naming the field, 404 for an unknown bot or notice, 401 without the token', async () => {
    const state = await t.api('GET', '/api/bots/shop/notices?state=closed');
    expect(state.status).toBe(400);
    expect((await state.json()).error.fields).toEqual([
      { field: 'query.state', message: expect.any(String) },
    ]);
    expect((await t.api('GET', '/api/bots/nobody/notices')).status).toBe(404);
    const unknown = await t.api('POST', '/api/bots/shop/notices/00000000-0000/dismiss');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    const malformed = await t.api('POST', '/api/bots/shop/notices/a%20b/dismiss');
    expect(malformed.status).toBe(400);
    expect((await t.api('GET', '/api/bots/shop/notices', undefined, null)).status).toBe(401);
  });
});
