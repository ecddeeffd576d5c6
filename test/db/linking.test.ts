import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CartDataRepository, type ConnectionRef } from '../../db/cart-data.ts';
import { LinkEngine } from '../../db/links.ts';
import { customer, insertBot, insertConnection, insertFriend, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let data: CartDataRepository;
let engine: LinkEngine;
let ecforce: ConnectionRef;
let shopify: ConnectionRef;
let colorme: ConnectionRef;
const BOT = 'shop';

beforeAll(async () => {
  t = await openTestDb();
  data = new CartDataRepository(t.db.kysely);
  engine = new LinkEngine(t.db.kysely);
  await insertBot(t.db, BOT);
  await insertBot(t.db, 'other');
  ecforce = await insertConnection(t.db, BOT, 'ecforce');
  shopify = await insertConnection(t.db, BOT, 'shopify');
  colorme = await insertConnection(t.db, BOT, 'colorme');
});
afterAll(() => t.close());

const linksOf = (friendId: string) =>
  t.db.kysely
    .selectFrom('links')
    .select(['connection_id', 'customer_external_id', 'rule'])
    .where('friend_id', '=', friendId)
    .orderBy('customer_external_id')
    .execute();

describe('linking by phone (one-point match with an order)', () => {
  it.each([
    ['090-1234-5601', '+819012345601'],
    ['09012345602', '+819012345602'],
    ['０９０－１２３４－５６０３', '+819012345603'],
    ['+81 90 1234 5604', '+819012345604'],
    ['090 1234 5605', '+819012345605'],
    ['090ー1234ー5606', '+819012345606'],
  ])('links a customer whose phone the cart holds as %s', async (written, e164) => {
    const friend = await insertFriend(t.db, BOT, { phoneKey: e164 });
    const c = customer({ phones: [written] });
    await data.upsertCustomers(ecforce, [c]);
    await data.upsertOrders(ecforce, [order(c.externalId)]);
    const created = await engine.link(ecforce, { friendIds: [friend] });
    expect(created).toEqual([
      {
        friendId: friend,
        connectionId: ecforce.id,
        customerExternalId: c.externalId,
        rule: 'phone',
      },
    ]);
  });

  it('does not link a customer with no orders, then links once an order arrives', async () => {
    const friend = await insertFriend(t.db, BOT, { phoneKey: '+818011110000' });
    const c = customer({ phones: ['080-1111-0000'] });
    await data.upsertCustomers(ecforce, [c]);
    expect(await engine.link(ecforce)).toEqual([]);
    expect(
      (await engine.unlinked(BOT, 1000)).find((u) => u.friendId === friend)?.carts,
    ).toContainEqual({
      connectionId: ecforce.id,
      cart: 'ecforce',
      reason: 'customer_has_no_orders',
    });
    await data.upsertOrders(ecforce, [order(c.externalId)]);
    expect(await engine.link(ecforce)).toEqual([
      expect.objectContaining({ friendId: friend, rule: 'phone' }),
    ]);
    // "Linked at" is the first link's time.
    const first = await t.db.kysely
      .selectFrom('links')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where('friend_id', '=', friend)
      .executeTakeFirstOrThrow();
    expect(first.at).toBeInstanceOf(Date);
  });

  it('links one friend to every customer record sharing the phone, and is idempotent', async () => {
    const friend = await insertFriend(t.db, BOT, { phoneKey: '+817022223333' });
    const a = customer({ phones: ['070-2222-3333'] });
    const b = customer({ phones: ['07022223333', '03-1234-5678'] });
    await data.upsertCustomers(ecforce, [a, b]);
    await data.upsertOrders(ecforce, [order(a.externalId), order(b.externalId)]);
    expect(await engine.link(ecforce)).toHaveLength(2);
    expect(await engine.link(ecforce)).toEqual([]);
    expect((await linksOf(friend)).map((l) => l.customer_external_id).sort()).toEqual(
      [a.externalId, b.externalId].sort(),
    );
  });

  it('keeps a link after the phone changes on either side', async () => {
    const friend = await insertFriend(t.db, BOT, { phoneKey: '+819033334444' });
    const c = customer({ phones: ['090-3333-4444'] });
    await data.upsertCustomers(ecforce, [c]);
    await data.upsertOrders(ecforce, [order(c.externalId)]);
    await engine.link(ecforce);
    await data.upsertCustomers(ecforce, [
      { ...c, phones: ['090-9999-9999'], updatedAt: new Date('2026-11-20T00:00:00Z') },
    ]);
    await t.db.kysely
      .updateTable('friends')
      .set({ phone_key: '+818000000001' })
      .where('id', '=', friend)
      .execute();
    await engine.link(ecforce);
    expect(await linksOf(friend)).toEqual([
      { connection_id: ecforce.id, customer_external_id: c.externalId, rule: 'phone' },
    ]);
  });

  it('never links across bots', async () => {
    const stranger = await insertFriend(t.db, 'other', { phoneKey: '+819055556666' });
    const c = customer({ phones: ['090-5555-6666'] });
    await data.upsertCustomers(ecforce, [c]);
    await data.upsertOrders(ecforce, [order(c.externalId)]);
    await engine.link(ecforce);
    expect(await linksOf(stranger)).toEqual([]);
  });
});

describe('linking by e-mail (verified only, no order needed)', () => {
  it('links a verified address whatever its case or spaces, without any order', async () => {
    const friend = await insertFriend(t.db, BOT, { emailKey: 'hanako@example.jp' });
    const c = customer({ email: '  Hanako@Example.JP ', emailVerified: true });
    await data.upsertCustomers(shopify, [c]);
    expect(await engine.link(shopify)).toEqual([
      expect.objectContaining({ friendId: friend, rule: 'email' }),
    ]);
  });

  it('does not link an unverified address, and says why', async () => {
    const friend = await insertFriend(t.db, BOT, { emailKey: 'unverified@example.jp' });
    await data.upsertCustomers(shopify, [
      customer({ email: 'unverified@example.jp', emailVerified: false }),
    ]);
    expect(await engine.link(shopify, { friendIds: [friend] })).toEqual([]);
    const report = (await engine.unlinked(BOT, 1000)).find((u) => u.friendId === friend);
    expect(report?.carts).toContainEqual({
      connectionId: shopify.id,
      cart: 'shopify',
      reason: 'email_not_verified',
    });
  });

  it('keeps an e-mail link after the address changes', async () => {
    const friend = await insertFriend(t.db, BOT, { emailKey: 'before@example.jp' });
    const c = customer({ email: 'before@example.jp', emailVerified: true });
    await data.upsertCustomers(shopify, [c]);
    await engine.link(shopify);
    await data.upsertCustomers(shopify, [
      { ...c, email: 'after@example.jp', updatedAt: new Date('2026-11-21T00:00:00Z') },
    ]);
    expect(await linksOf(friend)).toHaveLength(1);
  });
});

describe('linking by the cart’s own LINE id', () => {
  it('links directly, with no phone or e-mail', async () => {
    const lineUserId = `U${'a'.repeat(32)}`;
    const friend = await insertFriend(t.db, BOT, { lineUserId });
    await data.upsertCustomers(colorme, [customer({ lineUserId })]);
    expect(await engine.link(colorme)).toEqual([
      expect.objectContaining({ friendId: friend, rule: 'line_id' }),
    ]);
  });
});

describe('the unlinked report', () => {
  it('says when a friend gave neither phone nor e-mail', async () => {
    const friend = await insertFriend(t.db, BOT);
    const report = (await engine.unlinked(BOT, 1000)).find((u) => u.friendId === friend);
    expect(report?.carts).toContainEqual({
      connectionId: ecforce.id,
      cart: 'ecforce',
      reason: 'no_phone_or_email',
    });
  });

  it('says when no customer has the phone', async () => {
    const friend = await insertFriend(t.db, BOT, { phoneKey: '+819000000000' });
    const report = (await engine.unlinked(BOT, 1000)).find((u) => u.friendId === friend);
    expect(report?.carts).toContainEqual({
      connectionId: ecforce.id,
      cart: 'ecforce',
      reason: 'no_customer_with_phone',
    });
  });

  it('leaves linked friends out', async () => {
    const linked = await t.db.kysely.selectFrom('links').select('friend_id').execute();
    const report = await engine.unlinked(BOT, 1000);
    for (const { friend_id } of linked)
      expect(report.map((u) => u.friendId)).not.toContain(friend_id);
  });
});
