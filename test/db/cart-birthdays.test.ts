import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFriendPurchases } from '../../db/purchase-stats.ts';
import { applyWebhookChanges, importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { customer, insertFriend, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { importHarness, memoryCart } from '../helpers/memory-cart.ts';

let t: TestDb;
let deps: ImportDeps;
let connect: Awaited<ReturnType<typeof importHarness>>['connect'];
const BOT = 'shop';

beforeAll(async () => {
  t = await openTestDb();
  ({ deps, connect } = await importHarness(t, BOT));
});
afterAll(() => t.close());

const birthdayOf = async (friendId: string) =>
  t.db.kysely
    .selectFrom('friends')
    // As text: drivers turn a date into a Date at local midnight.
    .select([sql<string | null>`to_char(birthday, 'YYYY-MM-DD')`.as('birthday'), 'birthday_source'])
    .where('id', '=', friendId)
    .executeTakeFirstOrThrow();

let phone = 0;
const nextPhone = () => `+81907654${String(++phone).padStart(4, '0')}`;

describe('birthday from carts (F4.4)', () => {
  it('takes the first linked customer’s birthday; a later link does not replace it', async () => {
    const ecforce = await connect('repeatplus');
    const cart = memoryCart('repeatplus');
    const key = nextPhone();
    const friend = await insertFriend(t.db, BOT, { phoneKey: key });
    const early = customer({ phones: [key], birthday: '1990-04-01' });
    cart.held.customers.push(early);
    cart.held.orders.push(order(early.externalId));
    await importResource(deps, cart.connector, ecforce, 'orders');
    await importResource(deps, cart.connector, ecforce, 'customers');
    expect(await birthdayOf(friend)).toEqual({ birthday: '1990-04-01', birthday_source: 'cart' });

    const late = customer({ phones: [key], birthday: '1985-12-24' });
    cart.held.customers.splice(0, 1, late);
    cart.held.orders.splice(0, 1, order(late.externalId));
    await importResource(deps, cart.connector, ecforce, 'orders');
    await importResource(deps, cart.connector, ecforce, 'customers');
    expect((await birthdayOf(friend)).birthday).toBe('1990-04-01');
  });

  it('never comes from Shopify, nor from a connection that has it off, nor over a friend’s own', async () => {
    const shopify = await connect('shopify');
    const ecforce = await connect('subsc_store', false);
    const email = 'gift@example.jp';
    const friend = await insertFriend(t.db, BOT, { emailKey: email });
    await applyWebhookChanges(
      t.db,
      shopify,
      [
        {
          kind: 'customer',
          customer: customer({ email, emailVerified: true, birthday: '2000-01-01' }),
        },
      ],
      null,
    );
    expect(await birthdayOf(friend)).toEqual({ birthday: null, birthday_source: null });

    const key = nextPhone();
    const own = await insertFriend(t.db, BOT, { phoneKey: key });
    const c = customer({ phones: [key], birthday: '1970-07-07' });
    await applyWebhookChanges(
      t.db,
      ecforce,
      [
        { kind: 'customer', customer: c },
        { kind: 'order', order: order(c.externalId) },
      ],
      null,
    );
    expect(await birthdayOf(own)).toEqual({ birthday: null, birthday_source: null });

    await t.db.kysely
      .updateTable('friends')
      .set({ birthday: '1999-09-09', birthday_source: 'form' })
      .where('id', '=', own)
      .execute();
    await t.db.kysely
      .updateTable('connections')
      .set({ birthday_sync: true })
      .where('id', '=', ecforce.id)
      .execute();
    await refreshFriendPurchases(t.db.kysely, { friendIds: [own] });
    expect(await birthdayOf(own)).toEqual({ birthday: '1999-09-09', birthday_source: 'form' });
  });
});
