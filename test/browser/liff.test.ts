// The LIFF mini-apps end to end: headless Chromium at 320 px with the LIFF mock, against Kizuna on
// the embedded database over real HTTP, the fake LINE platform verifying the ID tokens it issued,
// and a cart customer imported from the fake ecforce.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShop, type ShopOrder } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';
import { ensureDevBuild, fitsWidth, launchChromium, phonePage, screenshot } from './browser.ts';

const LOGIN_CHANNEL = '1650000001';
const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee42';
const DAY = 86_400_000;

// One customer with the phone the shopper types, and 16 orders: 14 in the last 3 months (days 2
// to 67 ago, newest first) and 2 older ones. The history must show exactly the newest 12.
const shop = generateShop(31, 40);
for (const c of shop.customers) c.lineUserId = null;
const buyer = shop.customers.find(
  (c) => c.phone && !c.samePhoneAs && !shop.customers.some((d) => d.samePhoneAs === c.id),
)!;
buyer.phone = {
  digits: '09012345678',
  raw: '090-1234-5678',
  parts: ['090', '1234', '5678'],
  format: 'hyphen',
  landline: false,
};
const carriers = ['yamato', 'sagawa', 'japanpost', null] as const;
const firstId = Math.max(...shop.orders.map((o) => o.id)) + 1;
const buyerOrders: ShopOrder[] = [...Array.from({ length: 14 }, (_, i) => 2 + i * 5), 100, 200].map(
  (daysAgo, i) => {
    const orderedAt = new Date(Date.now() - daysAgo * DAY);
    const carrier = carriers[i % carriers.length]!;
    const shipped = i > 0;
    return {
      id: firstId + i,
      number: `E${String(firstId + i).padStart(8, '0')}`,
      customerId: buyer.id,
      orderedAt,
      state: shipped ? 'shipped' : 'pending',
      items: [
        {
          productCode: 'P-100',
          courseCode: null,
          name: `化粧水 ${i + 1}`,
          quantity: 1 + (i % 3),
          unitPrice: 2980,
        },
      ],
      total: 2980 * (1 + (i % 3)),
      shippedAt: shipped ? new Date(orderedAt.getTime() + DAY) : null,
      deliveryDate:
        i % 2 === 0 ? new Date(orderedAt.getTime() + 5 * DAY).toISOString().slice(0, 10) : null,
      carrier: shipped ? carrier : null,
      trackingNumber: shipped && carrier ? `4${String(100000000000 + i)}` : null,
      subscriptionId: null,
      subscriptionSequence: null,
      updatedAt: orderedAt,
    };
  },
);
shop.orders = [...shop.orders.filter((o) => o.customerId !== buyer.id), ...buyerOrders];
buyer.orderCount = buyerOrders.length;

let world: LineWorld;
let browser: Browser;
let closeCart: () => Promise<void>;
let connectionId: string;

beforeAll(async () => {
  const built = ensureDevBuild();
  world = await openLineWorld();
  const patched = await world.api('PATCH', `/api/bots/${world.botId}`, {
    liffId: `${LOGIN_CHANNEL}-AbcdEfgh`,
    loginChannelId: LOGIN_CHANNEL,
  });
  expect(patched.status).toBe(200);
  const fake = createFakeEcforce({ apiToken: TOKEN });
  fake.seed(shop);
  const cart = await fake.listen();
  closeCart = cart.close;
  const res = await world.api('POST', `/api/bots/${world.botId}/connections`, {
    cart: 'ecforce',
    name: 'ecforce 本店',
    credentials: { shopDomain: 'shop.example.com', apiToken: TOKEN },
    baseUrl: cart.url,
  });
  expect(res.status).toBe(201);
  connectionId = ((await res.json()) as { id: string }).id;
  await world.settle();
  await built;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await closeCart?.();
  await world?.close();
});

/** A new LINE user of the fake platform, and a phone-sized page whose LIFF mock holds their token. */
async function shopper(): Promise<{ page: Page; userId: string; idToken: string }> {
  const userId = world.line.addUser().userId;
  const idToken = world.line.issueIdToken(userId, { channelId: LOGIN_CHANNEL });
  return { page: await phonePage(browser, { getIDToken: idToken }), userId, idToken };
}

const appUrl = (app: string) => `${world.url}/liff/${world.botId}/${app}?liffMock=1`;

describe('identity form against the real API', () => {
  it('links a shopper who types ０９０－１２３４－５６７８ to the imported cart customer, and then shows their newest 12 orders of the last 3 months', async () => {
    const { page } = await shopper();

    // Not linked yet: the history invites the friend to the form.
    await page.goto(appUrl('purchases'));
    await page.getByRole('link', { name: '会員情報を連携する' }).waitFor();
    await screenshot(page, 'purchases-not-linked');
    await page.getByRole('link', { name: '会員情報を連携する' }).click();

    await page.getByRole('heading', { name: '本人確認フォーム' }).waitFor();
    const phone = page.getByLabel('電話番号');
    await phone.fill('０９０－１２３４－５６７８');
    await page.getByRole('checkbox').check();
    await screenshot(page, 'identity-filled');
    await page.getByRole('button', { name: /送信|登録|確認/ }).click();
    const status = page.getByRole('status');
    await status.getByText('ショップの会員情報と連携しました').waitFor();
    expect(await status.textContent()).toContain('ecforce 本店');
    expect(await phone.inputValue()).toBe('０９０－１２３４－５６７８');
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'identity-linked');

    // On to the history from the outcome.
    await status.getByRole('link', { name: '購入履歴を見る' }).click();
    const cards = page.locator('li.order');
    await cards.first().waitFor();
    const expected = buyerOrders
      .filter((o) => o.orderedAt.getTime() > Date.now() - 80 * DAY)
      .sort((a, b) => b.orderedAt.getTime() - a.orderedAt.getTime())
      .slice(0, 12);
    const shown = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id')));
    expect(shown).toEqual(expected.map((o) => `${connectionId}:${o.id}`));

    // The first shown order: pending, no carrier yet, with its requested delivery date.
    const first = cards.nth(0);
    expect(await first.textContent()).toContain('化粧水 1');
    expect(await first.locator('.total').textContent()).toBe('￥2,980');
    expect(await first.locator('.delivery').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(await first.locator('.carrier').count()).toBe(0);
    // Then Sagawa with no delivery date asked, Japan Post, none, Yamato…
    expect(await cards.nth(1).locator('.carrier').textContent()).toContain('佐川急便');
    expect(await cards.nth(1).locator('.delivery').textContent()).toBe('-');
    expect(await cards.nth(2).locator('.carrier').textContent()).toContain('日本郵便');
    expect(await cards.nth(3).locator('.carrier').count()).toBe(0);
    const yamato = cards.nth(4);
    expect(await yamato.locator('.carrier').textContent()).toContain('ヤマト運輸');
    expect(await yamato.getByRole('link', { name: '配送状況を確認' }).getAttribute('href')).toMatch(
      /^https:\/\/toi\.kuronekoyamato\.co\.jp\/.*4100000000004/,
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'purchases-linked');
    await page.context().close();
  });

  it('shows the server’s error on an invalid phone and keeps what the shopper typed', async () => {
    const { page } = await shopper();
    await page.goto(appUrl('identity'));
    const phone = page.getByLabel('電話番号');
    await phone.fill('１２３－４５');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: /送信|登録|確認/ }).click();
    await expect.poll(() => phone.getAttribute('aria-invalid')).toBe('true');
    const error = page.locator(`#${await phone.getAttribute('aria-describedby')}`);
    expect((await error.textContent())!.length).toBeGreaterThan(0);
    await expect.poll(() => phone.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await phone.inputValue()).toBe('１２３－４５');
    expect(await page.getByRole('checkbox').isChecked()).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'identity-invalid-phone');
    await page.context().close();
  });

  it('shows a pending outcome with the server’s reason when no customer has the phone', async () => {
    const { page } = await shopper();
    await page.goto(appUrl('identity'));
    await page.getByLabel('電話番号').fill('080-9999-0000');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: /送信|登録|確認/ }).click();
    const status = page.getByRole('status');
    await status.getByText('この電話番号の顧客がカートにいません').waitFor();
    await screenshot(page, 'identity-pending-real');
    await page.context().close();
  });
});
