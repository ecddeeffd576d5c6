import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { insertConnection } from '../helpers/carts.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

// The LIFF API over real HTTP, with the fake LINE platform playing LINE Login (ID tokens and
// /oauth2/v2.1/verify) over real HTTP too.

const LOGIN_CHANNEL = '1650000001';
const OTHER_LOGIN_CHANNEL = '1650000002';
let w: LineWorld;

beforeAll(async () => {
  w = await openLineWorld();
  const res = await w.api('PATCH', `/api/bots/${w.botId}`, {
    liffId: `${LOGIN_CHANNEL}-AbcdEfgh`,
    loginChannelId: LOGIN_CHANNEL,
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await w.close();
});

const db = () => w.testDb.db.kysely;
const newUser = () => w.line.addUser().userId;
const tokenFor = (userId: string, o: { channelId?: string; expiresIn?: number } = {}) =>
  w.line.issueIdToken(userId, { channelId: LOGIN_CHANNEL, ...o });

function call(
  method: string,
  path: string,
  o: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return fetch(`${w.url}${path}`, {
    method,
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? null : JSON.stringify(o.body),
  });
}

const submit = (
  token: string | undefined,
  values: Record<string, unknown>,
  o: { submissionId?: string; form?: string; headers?: Record<string, string> } = {},
) =>
  call('POST', `/api/liff/shop/forms/${o.form ?? 'identity'}/submissions`, {
    ...(token ? { token } : {}),
    body: { submissionId: o.submissionId ?? crypto.randomUUID(), values },
    ...(o.headers ? { headers: o.headers } : {}),
  });

async function count(table: 'friends' | 'form_submissions' | 'friend_tags' | 'tag_events') {
  const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db());
  return Number(r.rows[0]!.n);
}
const counts = async () => ({
  friends: await count('friends'),
  submissions: await count('form_submissions'),
  tags: await count('friend_tags'),
  events: await count('tag_events'),
});

async function friendOf(lineUserId: string) {
  return db()
    .selectFrom('friends')
    .selectAll()
    .where('bot_id', '=', 'shop')
    .where('line_user_id', '=', lineUserId)
    .executeTakeFirst();
}

describe('GET /api/liff/:botId/forms/:formKey', () => {
  it('serves the identity form out of the box: phone required, e-mail optional, consent required', async () => {
    const res = await call('GET', '/api/liff/shop/forms/identity');
    expect(res.status).toBe(200);
    const form = await res.json();
    expect(form).toMatchObject({
      key: 'identity',
      title: { ja: '本人確認フォーム' },
      submitLabel: { ja: expect.any(String), en: expect.any(String) },
      afterSubmit: { ja: expect.any(String), en: expect.any(String) },
    });
    expect(
      form.fields.map((f: { type: string; required: boolean }) => [f.type, f.required]),
    ).toEqual([
      ['phone', true],
      ['email', false],
      ['consent', true],
    ]);
    expect(form).not.toHaveProperty('tags');
  });

  it('answers 404 for an unknown form or bot', async () => {
    expect((await call('GET', '/api/liff/shop/forms/nope')).status).toBe(404);
    expect((await call('GET', '/api/liff/nobot/forms/identity')).status).toBe(404);
  });
});

describe('ID tokens', () => {
  it('refuses no token, an expired one, another channel’s and a tampered one with 401, storing nothing', async () => {
    const userId = newUser();
    const good = tokenFor(userId);
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: newUser() })).toString('base64url')}.${s}`;
    const before = await counts();
    const values = { phone: '090-1234-5678', consent: true };
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'missing_token'],
      [tokenFor(userId, { expiresIn: -60 }), 'token_expired'],
      [tokenFor(userId, { channelId: OTHER_LOGIN_CHANNEL }), 'wrong_channel'],
      [tampered, 'invalid_token'],
      ['not-a-jwt', 'invalid_token'],
    ];
    for (const [token, code] of cases) {
      const res = await submit(token, values);
      expect(res.status, code).toBe(401);
      expect((await res.json()).error.code).toBe(code);
      const history = await call('GET', '/api/liff/shop/purchases', token ? { token } : {});
      expect(history.status).toBe(401);
    }
    // A token whose body is wrong is still refused for the token: auth comes first.
    const res = await call('POST', '/api/liff/shop/forms/identity/submissions', {
      body: { nonsense: true },
    });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
    expect(await friendOf(userId)).toBeUndefined();
  });

  it('answers 503 when LINE cannot verify, and asks LINE once per token while it is valid', async () => {
    const userId = newUser();
    const token = tokenFor(userId);
    w.line.inject({ path: '/oauth2/v2.1/verify', status: 500 });
    const down = await call('GET', '/api/liff/shop/purchases', { token });
    expect(down.status).toBe(503);
    expect((await down.json()).error.code).toBe('line_unavailable');

    const asked = w.line.idTokenVerifications.length;
    for (let i = 0; i < 3; i++)
      expect((await call('GET', '/api/liff/shop/purchases', { token })).status).toBe(200);
    expect(w.line.idTokenVerifications.length).toBe(asked + 1);
    expect(w.line.idTokenVerifications.at(-1)).toEqual({ clientId: LOGIN_CHANNEL, status: 200 });
  });

  it('answers 409 while the bot has no LINE Login channel', async () => {
    await w.api('POST', '/api/bots', { id: 'bare', name: 'Bare' });
    const res = await call('GET', '/api/liff/bare/purchases', { token: tokenFor(newUser()) });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('liff_not_configured');
  });
});

describe('POST /api/liff/:botId/forms/:formKey/submissions', () => {
  it('answers 400 naming values.phone for a number that is not Japanese or E.164, in the shopper’s language', async () => {
    const token = tokenFor(newUser());
    for (const phone of ['12345', 'abc-defg-hijk', '090-1234-567', '03-1234-56789012']) {
      const res = await submit(token, { phone, consent: true });
      expect(res.status, phone).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('invalid_request');
      expect(error.fields.map((f: { field: string }) => f.field)).toEqual(['values.phone']);
      expect(error.fields[0].message).toMatch(/[\u3040-\u30ff]/); // Japanese first
    }
    const en = await submit(
      token,
      { phone: '12345', consent: true },
      {
        headers: { 'accept-language': 'en-US,en;q=0.9' },
      },
    );
    expect((await en.json()).error.fields[0].message).toMatch(/phone number/i);
    expect(await count('form_submissions')).toBe(0);
  });

  it('rejects extra, oversized and missing fields, and consent not given', async () => {
    const token = tokenFor(newUser());
    const fieldsOf = async (res: Response) => {
      expect(res.status).toBe(400);
      return (await res.json()).error.fields.map((f: { field: string }) => f.field);
    };
    expect(
      await fieldsOf(await submit(token, { phone: '09012345678', consent: true, userId: 'Ux' })),
    ).toEqual(['values.userId']);
    expect(await fieldsOf(await submit(token, { phone: '0'.repeat(31), consent: true }))).toEqual([
      'values.phone',
    ]);
    expect(
      await fieldsOf(await submit(token, { phone: '0'.repeat(20_000), consent: true })),
    ).toEqual(['values.phone']);
    expect(await fieldsOf(await submit(token, { email: 'a@example.com', consent: false }))).toEqual(
      ['values.phone', 'values.consent'],
    );
    expect(await fieldsOf(await submit(token, { phone: '09012345678', consent: 'yes' }))).toEqual([
      'values.consent',
    ]);
    expect(
      await fieldsOf(await submit(token, { phone: '09012345678', email: 'no-at', consent: true })),
    ).toEqual(['values.email']);
    // The body itself: a user id from the client is not a thing the API takes.
    const res = await call('POST', '/api/liff/shop/forms/identity/submissions', {
      token,
      body: { submissionId: crypto.randomUUID(), values: {}, userId: 'U0' },
    });
    expect(res.status).toBe(400);
    expect(await count('form_submissions')).toBe(0);
  });

  it('stores the normalized phone and e-mail on the friend from the token, pending while no cart is connected', async () => {
    const userId = newUser();
    const res = await submit(tokenFor(userId), {
      phone: '+81 90-2222-3333',
      email: '  Hanako@Example.JP ',
      consent: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      outcome: 'pending',
      reason: {
        code: 'no_cart_connected',
        message: { ja: expect.any(String), en: expect.any(String) },
      },
    });
    expect(await friendOf(userId)).toMatchObject({
      phone: '+819022223333',
      phone_key: '+819022223333',
      email_key: 'hanako@example.jp',
      source: 'liff',
    });
  });

  it('keeps one result for a repeated submit id, adds tags once per submit and re-adds them on a new one', async () => {
    const put = await w.api('PUT', '/api/bots/shop/forms/identity', {
      key: 'identity',
      title: { ja: '本人確認フォーム', en: 'Confirm your identity' },
      fields: [
        { key: 'phone', type: 'phone', label: { ja: '電話番号', en: 'Phone' }, required: true },
        { key: 'kana', type: 'furigana', label: { ja: 'ふりがな', en: 'Kana' } },
        { key: 'birthday', type: 'birthday', label: { ja: '生年月日', en: 'Birthday' } },
        {
          key: 'consent',
          type: 'consent',
          label: { ja: '同意する', en: 'I agree' },
          required: true,
        },
      ],
      submitLabel: { ja: '送信', en: 'Send' },
      afterSubmit: { ja: '確認中です', en: 'Confirming' },
      tags: ['本人確認済み', 'フォーム回答'],
    });
    expect(put.status).toBe(200);

    const userId = newUser();
    const token = tokenFor(userId);
    const submissionId = crypto.randomUUID();
    const values = {
      phone: '09033334444',
      kana: 'やまだ はなこ',
      birthday: '1990-04-01',
      consent: true,
    };
    const answers = await Promise.all([
      submit(token, values, { submissionId }),
      submit(token, values, { submissionId }),
    ]);
    const again = await submit(token, values, { submissionId });
    const bodies = await Promise.all([...answers, again].map((r) => r.json()));
    expect([...answers, again].map((r) => r.status)).toEqual([200, 200, 200]);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);

    const friend = (await friendOf(userId))!;
    expect(friend).toMatchObject({ name_kana: 'ヤマダ ハナコ', birthday_source: 'form' });
    const submissions = await db()
      .selectFrom('form_submissions')
      .select('submission_id')
      .where('friend_id', '=', friend.id)
      .execute();
    expect(submissions).toHaveLength(1);
    const events = () =>
      db()
        .selectFrom('tag_events')
        .innerJoin('tags', 'tags.id', 'tag_events.tag_id')
        .select(['tags.name', 'tag_events.readded', 'tag_events.source', 'tag_events.source_ref'])
        .where('tag_events.friend_id', '=', friend.id)
        .orderBy('tag_events.id')
        .execute();
    expect(await events()).toEqual([
      { name: '本人確認済み', readded: false, source: 'form', source_ref: 'form:identity' },
      { name: 'フォーム回答', readded: false, source: 'form', source_ref: 'form:identity' },
    ]);

    // Another submit intent (a new id) re-adds the tags: logged again, still one row each.
    expect((await submit(token, values)).status).toBe(200);
    expect((await events()).map((e) => e.readded)).toEqual([false, false, true, true]);
    const tags = await db()
      .selectFrom('friend_tags')
      .select('source')
      .where('friend_id', '=', friend.id)
      .execute();
    expect(tags).toEqual([{ source: 'form' }, { source: 'form' }]);

    // The id belongs to its friend: someone else cannot read or reuse it.
    const other = await submit(tokenFor(newUser()), values, { submissionId });
    expect(other.status).toBe(409);

    // Back to the template for the other tests.
    await db().deleteFrom('forms').where('key', '=', 'identity').execute();
  });

  it('answers 429 with Retry-After after 5 submits in a minute; a repeat still gets its stored result', async () => {
    const token = tokenFor(newUser());
    const first = crypto.randomUUID();
    for (let i = 0; i < 5; i++) {
      const res = await submit(
        token,
        { phone: '09044445555', consent: true },
        {
          ...(i === 0 ? { submissionId: first } : {}),
        },
      );
      expect(res.status).toBe(200);
    }
    const res = await submit(token, { phone: '09044445555', consent: true });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await res.json()).error.code).toBe('too_many_submits');
    const repeat = await submit(
      token,
      { phone: '09044445555', consent: true },
      { submissionId: first },
    );
    expect(repeat.status).toBe(200);
    // Another friend is not held up.
    expect(
      (await submit(tokenFor(newUser()), { phone: '09044446666', consent: true })).status,
    ).toBe(200);
  });
});

describe('linking at submit (F2.6)', () => {
  const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee77';
  const shop = generateShop(23, 60);
  const buyer = shop.customers.find(
    (c) =>
      c.orderCount > 0 &&
      c.phone &&
      !c.samePhoneAs &&
      !shop.customers.some((d) => d.samePhoneAs === c.id),
  )!;
  // No cart-side LINE ids: the reason shown is then about the phone alone.
  for (const c of shop.customers) c.lineUserId = null;
  buyer.phone = {
    digits: '09012345678',
    raw: '090-1234-5678',
    parts: ['090', '1234', '5678'],
    format: 'hyphen',
    landline: false,
  };
  let closeCart: () => Promise<void>;
  let connectionId: string;

  beforeAll(async () => {
    const fake = createFakeEcforce({ apiToken: TOKEN });
    fake.seed(shop);
    const server = await fake.listen();
    closeCart = server.close;
    const res = await w.api('POST', '/api/bots/shop/connections', {
      cart: 'ecforce',
      name: 'ecforce 本店',
      credentials: { shopDomain: 'shop.example.com', apiToken: TOKEN },
      baseUrl: server.url,
    });
    expect(res.status).toBe(201);
    connectionId = (await res.json()).id;
    await w.settle();
  });
  afterAll(async () => {
    await closeCart();
  });

  it('links a shopper who types ０９０－１２３４－５６７８ to the imported customer with that phone at once', async () => {
    const userId = newUser();
    const res = await submit(tokenFor(userId), {
      phone: '０９０－１２３４－５６７８',
      consent: true,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      outcome: 'linked',
      carts: [{ connectionId, cart: 'ecforce', name: expect.any(String) }],
    });
    const friend = (await friendOf(userId))!;
    const links = await db()
      .selectFrom('links')
      .selectAll()
      .where('friend_id', '=', friend.id)
      .execute();
    expect(links).toMatchObject([
      { connection_id: connectionId, customer_external_id: String(buyer.id), rule: 'phone' },
    ]);
    const stats = await db()
      .selectFrom('friend_purchase_stats')
      .select('order_count')
      .where('friend_id', '=', friend.id)
      .executeTakeFirstOrThrow();
    expect(stats.order_count).toBeGreaterThan(0);

    // A second submit links nothing twice.
    expect((await submit(tokenFor(userId), { phone: '09012345678', consent: true })).status).toBe(
      200,
    );
    expect(
      await db().selectFrom('links').select('rule').where('friend_id', '=', friend.id).execute(),
    ).toHaveLength(1);
    const history = await (
      await call('GET', '/api/liff/shop/purchases', { token: tokenFor(userId) })
    ).json();
    expect(history.linked).toBe(true);
  });

  it('answers pending with the reason when no customer has the phone', async () => {
    const res = await submit(tokenFor(newUser()), { phone: '080-9999-0000', consent: true });
    expect(await res.json()).toEqual({
      outcome: 'pending',
      reason: {
        code: 'no_customer_with_phone',
        message: {
          ja: 'この電話番号の顧客がカートにいません',
          en: 'No cart customer has this phone number',
        },
      },
    });
  });
});

describe('GET /api/liff/:botId/purchases', () => {
  it('shows the newest 12 orders of the last 3 months from every linked cart, with carrier and tracking', async () => {
    const userId = newUser();
    const token = tokenFor(userId);
    expect(await (await call('GET', '/api/liff/shop/purchases', { token })).json()).toEqual({
      linked: false,
      orders: [],
    });
    await submit(token, { phone: '07011112222', consent: true });
    const friend = (await friendOf(userId))!;
    const a = await insertConnection(w.testDb.db, 'shop', 'repeatplus');
    const b = await insertConnection(w.testDb.db, 'shop', 'rakuten');
    const day = 24 * 3600 * 1000;
    const carriers = ['yamato', 'sagawa', 'japanpost', 'other', null] as const;
    const orders = [];
    for (let i = 0; i < 16; i++) {
      const conn = i % 2 ? a : b;
      orders.push({
        connection_id: conn.id,
        external_id: `O-${i}`,
        bot_id: 'shop',
        customer_external_id: 'C-1',
        ordered_at: new Date(Date.now() - (i * 5 + 1) * day),
        total_amount: 1000 + i,
        currency: 'JPY',
        cancelled: i === 2,
        items: JSON.stringify([
          { productCode: 'P', name: `商品${i}`, quantity: 2, unitPrice: 500 },
        ]),
        requested_delivery_date: i % 3 === 0 ? '2026-12-01' : null,
        carrier: carriers[i % 5]!,
        tracking_number: carriers[i % 5] ? `1234-5678-90${String(i).padStart(2, '0')}` : null,
        updated_at_cart: new Date(),
      });
    }
    // Older than three months: never shown.
    orders.push({
      ...orders[0]!,
      external_id: 'O-old',
      ordered_at: new Date(Date.now() - 100 * day),
    });
    await db().insertInto('cart_orders').values(orders).execute();
    await db()
      .insertInto('links')
      .values(
        [a, b].map((c) => ({
          bot_id: 'shop',
          friend_id: friend.id,
          connection_id: c.id,
          customer_external_id: 'C-1',
          rule: 'manual',
        })),
      )
      .execute();

    const res = await call('GET', '/api/liff/shop/purchases', { token });
    expect(res.status).toBe(200);
    const history = await res.json();
    expect(history.linked).toBe(true);
    const shown = [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // newest first, the cancelled #2 left out
    expect(history.orders.map((o: { id: string }) => o.id.split(':')[1])).toEqual(
      shown.map((i) => `O-${i}`),
    );
    expect(history.orders[0]).toEqual({
      id: `${b.id}:O-0`,
      cart: 'rakuten',
      orderedAt: expect.any(String),
      totalAmount: 1000,
      currency: 'JPY',
      items: [{ name: '商品0', quantity: 2, unitPrice: 500 }],
      requestedDeliveryDate: '2026-12-01',
      carrier: 'yamato',
      trackingUrl:
        'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=123456789000',
    });
    const byIndex = (i: number) =>
      history.orders.find((o: { id: string }) => o.id.endsWith(`:O-${i}`));
    expect(byIndex(1)).toMatchObject({
      carrier: 'sagawa',
      trackingUrl: 'https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=123456789001',
      requestedDeliveryDate: null,
    });
    expect(byIndex(7)).toMatchObject({
      carrier: 'japanpost',
      trackingUrl: expect.stringContaining('reqCodeNo1=123456789007'),
    });
    expect(byIndex(3)).toMatchObject({ carrier: null, trackingUrl: null }); // another carrier
    expect(byIndex(4)).toMatchObject({ carrier: null, trackingUrl: null }); // none
  });
});
