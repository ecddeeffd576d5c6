import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertConnection, insertFriend } from '../helpers/carts.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

// LINE Account Link (F2.8) end to end: Kizuna asks the fake LINE for a link token, the shop's
// login page sends the shopper back signed, Kizuna binds a nonce and redirects to LINE, the user
// finishes at LINE, and LINE's accountLink webhook links the friend.

const SECRET = 'shop-login-secret-0123456789abcdef0123';
const LOGIN_PAGE = 'https://shop.example.com/line/login?from=line';
let w: LineWorld;
let connectionId: string;
let friendId: string;
let userId: string;

beforeAll(async () => {
  w = await openLineWorld();
  userId = w.line.addUser().userId;
  friendId = await insertFriend(w.testDb.db, 'shop', { lineUserId: userId });
  connectionId = (await insertConnection(w.testDb.db, 'shop', 'makeshop')).id;
});
afterAll(async () => {
  await w.close();
});

const sign = (linkToken: string, connection: string, customer: string) =>
  createHmac('sha256', SECRET).update(`${linkToken}\n${connection}\n${customer}`).digest('hex');

async function start(): Promise<string> {
  const res = await w.api('POST', `/api/bots/shop/friends/${friendId}/account-link`);
  expect(res.status).toBe(200);
  const { linkToken, url } = await res.json();
  expect(url).toBe(`${LOGIN_PAGE}&linkToken=${linkToken}`);
  return linkToken;
}

/** The shop's login page, after the shopper logged in as `customer`, sends the browser back. */
function complete(
  linkToken: string,
  customer: string,
  signature = sign(linkToken, connectionId, customer),
) {
  const q = new URLSearchParams({ linkToken, connectionId, customer, signature });
  return fetch(`${w.url}/liff/shop/account-link/complete?${q}`, { redirect: 'manual' });
}

async function nonceFor(linkToken: string, customer: string): Promise<string> {
  const res = await complete(linkToken, customer);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(
    'https://access.line.me/dialog/bot/accountLink',
  );
  expect(location.searchParams.get('linkToken')).toBe(linkToken);
  const nonce = location.searchParams.get('nonce')!;
  expect(nonce.length).toBeGreaterThanOrEqual(22); // 128 bits, base64url
  return nonce;
}

/** The user confirms at LINE; LINE posts the accountLink event; Kizuna processes it. */
async function finishAtLine(linkToken: string, nonce: string): Promise<string | null> {
  const event = w.line.completeAccountLink(linkToken, nonce)!;
  expect((await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [event])).status).toBe(200);
  await w.settle();
  const row = await w.testDb.db.kysely
    .selectFrom('account_links')
    .select('outcome')
    .where('webhook_event_id', '=', (event as { webhookEventId: string }).webhookEventId)
    .executeTakeFirstOrThrow();
  return row.outcome;
}

const linksOfFriend = () =>
  w.testDb.db.kysely
    .selectFrom('links')
    .select(['customer_external_id', 'rule'])
    .where('friend_id', '=', friendId)
    .orderBy('customer_external_id')
    .execute();

describe('LINE Account Link', () => {
  it('needs the shop login page and its secret configured', async () => {
    const res = await w.api('POST', `/api/bots/shop/friends/${friendId}/account-link`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('account_link_not_configured');
    const patched = await w.api('PATCH', '/api/bots/shop', {
      accountLinkUrl: LOGIN_PAGE,
      accountLinkSecret: SECRET,
    });
    expect(patched.status).toBe(200);
    const bot = await patched.json();
    expect(bot).toMatchObject({ accountLinkUrl: LOGIN_PAGE, hasAccountLinkSecret: true });
    expect(JSON.stringify(bot)).not.toContain(SECRET);
  });

  it('links the friend to the customer the shop names once LINE reports ok with the nonce', async () => {
    const linkToken = await start();
    expect(w.line.accepted.at(-1)).toMatchObject({
      operationId: 'issueLinkToken',
      path: `/v2/bot/user/${userId}/linkToken`,
    });
    const nonce = await nonceFor(linkToken, 'M-100');
    expect(await finishAtLine(linkToken, nonce)).toBe('linked');
    expect(await linksOfFriend()).toEqual([
      { customer_external_id: 'M-100', rule: 'account_link' },
    ]);
  });

  it('refuses a return the shop did not sign, or signed for another customer, binding no nonce', async () => {
    const linkToken = await start();
    const forged = await complete(linkToken, 'M-999', sign(linkToken, connectionId, 'M-100'));
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe('bad_signature');
    const unknownConnection = new URLSearchParams({
      linkToken,
      connectionId: 'conn-none',
      customer: 'M-1',
      signature: sign(linkToken, 'conn-none', 'M-1'),
    });
    const res = await fetch(`${w.url}/liff/shop/account-link/complete?${unknownConnection}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(404);
    const nonces = await w.testDb.db.kysely
      .selectFrom('account_link_nonces')
      .select('customer_external_id')
      .execute();
    expect(nonces.map((n) => n.customer_external_id)).toEqual(['M-100']);
  });

  it('uses a nonce once: a replay links nothing and is recorded as used', async () => {
    const first = await start();
    const nonce = await nonceFor(first, 'M-200');
    expect(await finishAtLine(first, nonce)).toBe('linked');
    const again = await start();
    expect(await finishAtLine(again, nonce)).toBe('used');
    expect((await linksOfFriend()).map((l) => l.customer_external_id)).toEqual(['M-100', 'M-200']);
  });

  it('ignores and records an expired nonce, an unknown one, and a failed link', async () => {
    const linkToken = await start();
    const nonce = await nonceFor(linkToken, 'M-300');
    await w.testDb.db.kysely
      .updateTable('account_link_nonces')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('nonce', '=', nonce)
      .execute();
    expect(await finishAtLine(linkToken, nonce)).toBe('expired');

    expect(await finishAtLine(await start(), 'never-issued-nonce-0123456789')).toBe(
      'unknown_nonce',
    );

    // LINE answers `failed` for a link token spent already.
    const spent = await start();
    const fresh = await nonceFor(spent, 'M-400');
    w.line.completeAccountLink(spent, 'other');
    expect(await finishAtLine(spent, fresh)).toBe('failed');
    expect((await linksOfFriend()).map((l) => l.customer_external_id)).toEqual(['M-100', 'M-200']);
  });
});
