// The LIFF mini-apps' behaviour in headless Chromium at 320 px, with Kizuna serving their pages
// and the LIFF API answered in the browser (page.route): the answers a real server gives rarely
// (a lost answer, 429, every carrier) on demand. liff.test.ts runs them against the real API.
import type { Browser, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';
import { ensureDevBuild, fitsWidth, launchChromium, phonePage, screenshot } from './browser.ts';
import type { FormDefinition, Order } from '../../liff/src/api.ts';

const FORM: FormDefinition = {
  key: 'identity',
  title: { ja: '本人確認フォーム', en: 'Confirm who you are' },
  fields: [
    { key: 'phone', type: 'phone', label: { ja: '電話番号', en: 'Phone' }, required: true },
    { key: 'email', type: 'email', label: { ja: 'メールアドレス', en: 'E-mail' }, required: false },
    {
      key: 'name',
      type: 'name',
      label: { ja: 'お名前', en: 'Name' },
      required: false,
      maxLength: 50,
    },
    {
      key: 'furigana',
      type: 'furigana',
      label: { ja: 'フリガナ', en: 'Furigana' },
      required: false,
    },
    {
      key: 'birthday',
      type: 'birthday',
      label: { ja: '生年月日', en: 'Birthday' },
      required: false,
    },
    { key: 'note', type: 'text', label: { ja: 'ご要望', en: 'Notes' }, required: false },
    {
      key: 'consent',
      type: 'consent',
      label: { ja: '利用規約に同意します', en: 'I agree to the terms' },
      required: true,
    },
  ],
  submitLabel: { ja: '送信する', en: 'Send' },
  afterSubmit: { ja: '本人確認を受け付けました', en: 'We are confirming your identity' },
};

let world: LineWorld;
let browser: Browser;

beforeAll(async () => {
  await ensureDevBuild();
  world = await openLineWorld();
  const patched = await world.api('PATCH', `/api/bots/${world.botId}`, {
    liffId: '2000000002-AbcdEfgh',
  });
  expect(patched.status).toBe(200);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

interface Submission {
  authorization: string | undefined;
  acceptLanguage: string | undefined;
  body: { submissionId: string; values: Record<string, unknown> };
}

/** Answers the LIFF API in the page; `onSubmit` decides each submission's answer. */
async function stubApi(
  page: Page,
  handlers: {
    onSubmit?: (s: Submission, n: number) => Promise<Parameters<Route['fulfill']>[0] | 'abort'>;
    purchases?: { linked: boolean; orders: Order[] };
  },
): Promise<Submission[]> {
  const submissions: Submission[] = [];
  // The server puts the identity form's definition into the page: swap in this suite's.
  await page.route(/\/liff\/[^/]+\/identity(\?|$)/, async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(
      /(<script type="application\/json" id="kizuna-config">)(.*?)(<\/script>)/,
      (_m, open: string, json: string, close: string) =>
        `${open}${JSON.stringify({ ...JSON.parse(json), form: FORM }).replace(/</g, '\\u003c')}${close}`,
    );
    const headers = { ...response.headers() };
    delete headers['content-encoding'];
    delete headers['content-length'];
    await route.fulfill({ response, body, headers });
  });
  await page.route('**/api/liff/**', async (route: Route, request: Request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('/forms/identity') && request.method() === 'GET')
      return route.fulfill({ json: FORM });
    if (path.endsWith('/forms/identity/submissions') && request.method() === 'POST') {
      const s: Submission = {
        authorization: request.headers().authorization,
        acceptLanguage: request.headers()['accept-language'],
        body: request.postDataJSON() as Submission['body'],
      };
      submissions.push(s);
      const answer = (await handlers.onSubmit?.(s, submissions.length)) ?? {
        json: {
          outcome: 'pending',
          reason: { code: 'no_match', message: { ja: '照合中', en: 'Checking' } },
        },
      };
      return answer === 'abort' ? route.abort('connectionreset') : route.fulfill(answer);
    }
    if (path.endsWith('/purchases'))
      return route.fulfill({ json: handlers.purchases ?? { linked: false, orders: [] } });
    return route.fulfill({ status: 404, json: { error: { code: 'not_found', message: path } } });
  });
  return submissions;
}

const identityUrl = (query = 'liffMock=1') => `${world.url}/liff/${world.botId}/identity?${query}`;

describe('identity form', () => {
  it('renders every field of the definition with labels, in Japanese, at 320 px', async () => {
    const page = await phonePage(browser, { getIDToken: 'token-a' });
    await stubApi(page, {});
    await page.goto(identityUrl());
    await page.getByRole('heading', { name: '本人確認フォーム' }).waitFor();
    for (const field of FORM.fields)
      await expect(page.getByLabel(field.label.ja).count()).resolves.toBe(1);
    expect(await page.getByLabel('電話番号').getAttribute('type')).toBe('tel');
    expect(await page.getByLabel('生年月日').getAttribute('type')).toBe('date');
    expect(await page.getByLabel('利用規約に同意します').getAttribute('type')).toBe('checkbox');
    expect(await page.getByLabel('ご要望').evaluate((e) => e.tagName)).toBe('TEXTAREA');
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'identity-empty');
    await page.context().close();
  });

  it('switches to English and back', async () => {
    const page = await phonePage(browser);
    await stubApi(page, {});
    await page.goto(identityUrl());
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Confirm who you are' }).waitFor();
    await page.getByLabel('Phone').waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByLabel('電話番号').waitFor();
    await page.goto(identityUrl('liffMock=1&lang=en'));
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.context().close();
  });

  it('flags missing required fields without sending, focusing the first one', async () => {
    const page = await phonePage(browser);
    const submissions = await stubApi(page, {});
    await page.goto(identityUrl());
    await page.getByRole('button', { name: '送信する' }).click();
    const phone = page.getByLabel('電話番号');
    await expect.poll(() => phone.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    const described = await phone.getAttribute('aria-describedby');
    expect(await page.locator(`#${described}`).textContent()).toBe('入力してください');
    const consent = page.getByLabel('利用規約に同意します');
    const consentError = await consent.getAttribute('aria-describedby');
    expect(await page.locator(`#${consentError}`).textContent()).toBe('同意が必要です');
    expect(submissions).toHaveLength(0);
    await page.context().close();
  });

  it('shows the server’s field error tied to the field and keeps what the shopper typed', async () => {
    const page = await phonePage(browser, { getIDToken: 'token-b' });
    const submissions = await stubApi(page, {
      onSubmit: async () => ({
        status: 400,
        json: {
          error: {
            code: 'invalid_request',
            message: 'invalid',
            fields: [{ field: 'values.phone', message: '電話番号の形式が正しくありません' }],
          },
        },
      }),
    });
    await page.goto(identityUrl());
    await page.getByLabel('電話番号').fill('０１２－３');
    await page.getByLabel('お名前').fill('山田 花子');
    await page.getByLabel('利用規約に同意します').check();
    await page.getByLabel('お名前').focus();
    await page.getByRole('button', { name: '送信する' }).click();
    const phone = page.getByLabel('電話番号');
    await expect.poll(() => phone.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => phone.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(
      await page.locator(`#${await phone.getAttribute('aria-describedby')}`).textContent(),
    ).toBe('電話番号の形式が正しくありません');
    expect(await phone.inputValue()).toBe('０１２－３');
    expect(await page.getByLabel('お名前').inputValue()).toBe('山田 花子');
    expect(await page.getByLabel('利用規約に同意します').isChecked()).toBe(true);
    expect(submissions[0]!.authorization).toBe('Bearer token-b');
    expect(submissions[0]!.acceptLanguage).toBe('ja');
    expect(submissions[0]!.body.values).toMatchObject({ phone: '０１２－３', consent: true });
    // The ID token only: no profile, no user id of the browser's own.
    expect(Object.keys(submissions[0]!.body).sort()).toEqual(['submissionId', 'values']);
    await screenshot(page, 'identity-field-error-stub');
    await page.context().close();
  });

  it('disables the button while sending and retries a lost answer with the same submission id', async () => {
    const page = await phonePage(browser);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const submissions = await stubApi(page, {
      onSubmit: async (_s, n) => {
        if (n === 1) return 'abort';
        if (n === 2)
          return {
            status: 429,
            headers: { 'retry-after': '30' },
            json: { error: { code: 'rate_limited', message: 'slow down' } },
          };
        await held;
        return {
          json: {
            outcome: 'linked',
            carts: [{ connectionId: 'c1', cart: 'ecforce', name: 'テストショップ' }],
          },
        };
      },
    });
    await page.goto(identityUrl());
    await page.getByLabel('電話番号').fill('09012345678');
    await page.getByLabel('利用規約に同意します').check();
    const button = page.getByRole('button', { name: '送信する' });
    await button.click();
    await page.getByRole('alert').getByText('通信できませんでした').waitFor();
    await button.click();
    await page.getByRole('alert').getByText('30秒後').waitFor();
    await button.click();
    const sending = page.getByRole('button', { name: '送信中…' });
    await sending.waitFor();
    expect(await sending.isDisabled()).toBe(true);
    await screenshot(page, 'identity-submitting');
    release();
    const status = page.getByRole('status');
    await status.getByText('ショップの会員情報と連携しました').waitFor();
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(await status.textContent()).toContain('テストショップ');
    expect(await status.textContent()).toContain('本人確認を受け付けました');
    expect(submissions).toHaveLength(3);
    const ids = new Set(submissions.map((s) => s.body.submissionId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    await page.context().close();
  });

  it('shows a pending outcome with its reason, and a new intent after it gets a new id', async () => {
    const page = await phonePage(browser);
    const submissions = await stubApi(page, {});
    await page.goto(identityUrl());
    await page.getByLabel('電話番号').fill('09011112222');
    await page.getByLabel('利用規約に同意します').check();
    await page.getByRole('button', { name: '送信する' }).click();
    await page.getByRole('status').getByText('照合中').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('まだ連携できていません');
    await screenshot(page, 'identity-pending');
    await page.getByRole('button', { name: '送信する' }).click();
    await expect.poll(() => submissions.length).toBe(2);
    expect(submissions[0]!.body.submissionId).not.toBe(submissions[1]!.body.submissionId);
    await page.context().close();
  });
});

describe('purchase history', () => {
  const order = (n: number, fields: Partial<Order>): Order => ({
    id: `A${1000 + n}`,
    cart: 'ecforce',
    orderedAt: new Date(Date.UTC(2026, 9, 30 - n, 3)).toISOString(),
    totalAmount: 1980 * n,
    currency: 'JPY',
    items: [
      { name: `商品${n}の長い長い名前（お徳用サイズ・詰め替え）`, quantity: n, unitPrice: 1980 },
    ],
    requestedDeliveryDate: null,
    carrier: null,
    trackingUrl: null,
    ...fields,
  });

  it('lists orders with items, amounts, delivery date or "-", and carriers with tracking links', async () => {
    const page = await phonePage(browser, { getIDToken: 'token-p' });
    const orders = [
      order(1, {
        requestedDeliveryDate: '2026-11-03',
        carrier: 'yamato',
        trackingUrl: 'https://toi.kuronekoyamato.co.jp/x?n=1',
      }),
      order(2, { carrier: 'sagawa', trackingUrl: 'https://k2k.sagawa-exp.co.jp/x?n=2' }),
      order(3, { carrier: 'japanpost', trackingUrl: 'https://trackings.post.japanpost.jp/x?n=3' }),
      order(4, {}),
    ];
    let auth: string | undefined;
    await page.route('**/api/liff/**', (route, request) => {
      auth = request.headers().authorization;
      return route.fulfill({ json: { linked: true, orders } });
    });
    await page.goto(`${world.url}/liff/${world.botId}/purchases?liffMock=1`);
    const cards = page.locator('li.order');
    await expect.poll(() => cards.count()).toBe(4);
    expect(auth).toBe('Bearer token-p');
    const first = cards.nth(0);
    expect(await first.locator('.delivery').textContent()).toBe('2026年11月3日');
    expect(await first.locator('.total').textContent()).toBe('￥1,980');
    expect(await first.locator('.carrier').textContent()).toContain('ヤマト運輸');
    expect(await first.getByRole('link', { name: '配送状況を確認' }).getAttribute('href')).toBe(
      orders[0]!.trackingUrl,
    );
    expect(await cards.nth(1).locator('.carrier').textContent()).toContain('佐川急便');
    expect(await cards.nth(1).locator('.delivery').textContent()).toBe('-');
    expect(await cards.nth(2).locator('.carrier').textContent()).toContain('日本郵便');
    expect(await cards.nth(3).locator('.carrier').count()).toBe(0);
    expect(await cards.nth(3).textContent()).toContain('商品4の長い長い名前');
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'purchases-carriers');
    await page.context().close();
  });

  it('invites a friend who has not linked to the identity form', async () => {
    const page = await phonePage(browser);
    await stubApi(page, { purchases: { linked: false, orders: [] } });
    await page.goto(`${world.url}/liff/${world.botId}/purchases?liffMock=1`);
    const link = page.getByRole('link', { name: '会員情報を連携する' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/liff/${world.botId}/identity?liffMock=1`);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'purchases-empty');
    await link.click();
    await page.getByLabel('電話番号').waitFor();
    await page.context().close();
  });
});

describe('pages', () => {
  it('injects the bot’s config and answers 404 for unknown bots and apps', async () => {
    // The development build (this suite's): a fresh clone has no production build yet.
    const res = await fetch(`${world.url}/liff/${world.botId}/identity?liffMock=1`, {
      headers: { 'accept-language': 'en-US,en;q=0.9,ja;q=0.8' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const config = /<script type="application\/json" id="kizuna-config">(.*?)<\/script>/.exec(html);
    expect(JSON.parse(config![1]!)).toMatchObject({
      botId: world.botId,
      liffId: '2000000002-AbcdEfgh',
      lang: 'en',
    });
    // The style sheet is inlined: no round trip before the first paint.
    expect(html).toMatch(/<style>[^<]*\.field/);
    expect(html).not.toContain('rel="stylesheet"');
    // Gzipped (fetch undoes it), with the identity form's definition and its first script inside.
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(config![1]!).form).toMatchObject({
      key: 'identity',
      fields: expect.any(Array),
    });
    expect(JSON.parse(config![1]!).form).not.toHaveProperty('tags');
    expect(html).toContain('<base href="/liff/dev/assets/">');
    expect(html).toMatch(/<script type="module">[^<]/);
    const purchases = await (
      await fetch(`${world.url}/liff/${world.botId}/purchases?liffMock=1`)
    ).text();
    const asset = /src="(\/liff\/dev\/assets\/[^"]+\.js)"/.exec(purchases)![1]!;
    const js = await fetch(`${world.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${world.url}/liff/dev/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${world.url}/liff/nobody/identity`)).status).toBe(404);
    // A bot may be called "assets": its pages are not taken for files.
    expect((await world.api('POST', '/api/bots', { id: 'assets', name: 'Assets' })).status).toBe(
      201,
    );
    expect((await fetch(`${world.url}/liff/assets/identity?liffMock=1`)).status).toBe(200);
    expect((await fetch(`${world.url}/liff/${world.botId}/settings`)).status).toBe(404);
    expect((await fetch(`${world.url}/liff/assets/..%2Fidentity.html`)).status).toBe(404);
  });
});
