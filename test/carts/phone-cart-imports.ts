// What the phone-linked subscription carts (リピスト, サブスクストア) must do once imported for real:
// from their fake over HTTP, through jobs/cart-import.ts, into the database: link by phone with
// an order whatever form the cart holds the phone in (F2.4), sync birthdays (F4.4) and keep 定期
// statuses raw and normalized (F4.3). Each cart's test file calls phoneCartImports().
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartConnector } from '../../carts/connector.ts';
import type { CartKind } from '../../crm/cart.ts';
import { LinkEngine } from '../../db/links.ts';
import { importResource, type Resource } from '../../jobs/cart-import.ts';
import {
  generateShop,
  type PhoneFormat,
  type ShopCustomer,
  type ShopData,
  type ShopOrder,
  type ShopSubscriptionState,
} from '../fakes/cart-data.ts';
import { insertFriend } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { importHarness } from '../helpers/memory-cart.ts';

export interface PhoneCartFake {
  url: string;
  close(): Promise<void>;
  violations: string[];
  /** Adds records (or replaces those with the same id). */
  seed(data: ShopData): void;
  setSubscriptionStatus(id: number, raw: string): void;
}

export interface PhoneCartSetup {
  kind: CartKind;
  connector: CartConnector<unknown>;
  credentials: Record<string, string>;
  start(): Promise<PhoneCartFake>;
  /** The cart's own word for each state (SPEC F4.3). */
  statuses: Record<ShopSubscriptionState, string>;
}

const e164 = (c: ShopCustomer) => `+81${c.phone!.digits.slice(1)}`;
const NOW = new Date('2026-11-02T00:00:00Z');

/** A customer of the test's own making, from a generated one (names, kana and dates kept). */
function person(base: ShopCustomer, id: number, digits: string, birthday: string | null) {
  const parts: [string, string, string] = [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
  return {
    ...base,
    id,
    number: `bd${id}`,
    birthday,
    samePhoneAs: null,
    phone: { digits, raw: parts.join('-'), parts, format: 'hyphen', landline: false },
    updatedAt: NOW,
  } satisfies ShopCustomer;
}
function orderOf(base: ShopOrder, id: number, customerId: number, at = NOW): ShopOrder {
  return {
    ...base,
    id,
    number: `R${id}`,
    customerId,
    subscriptionId: null,
    subscriptionSequence: null,
    updatedAt: at,
  };
}

export function phoneCartImports(name: string, setup: PhoneCartSetup): void {
  describe(`${name} through the fake, the import and the database`, () => {
    const data = generateShop(31, 160);
    let t: TestDb;
    let fake: PhoneCartFake;
    let bots = 0;
    beforeAll(async () => {
      t = await openTestDb();
      fake = await setup.start();
      fake.seed(data);
    });
    afterAll(async () => {
      await fake.close();
      await t.close();
    });

    /** A bot of its own per test (one connection per cart and bot), connected to the fake. */
    async function connectBot(birthdaySync = true) {
      const botId = `${setup.kind}-${++bots}`;
      const { deps, connections } = await importHarness(t, botId);
      const created = await connections.create({
        botId,
        cart: setup.kind,
        name,
        credentials: setup.credentials,
        baseUrl: fake.url,
        birthdaySync,
      });
      const connection = (await connections.get(created!.id))!;
      const run = (...resources: Resource[]) =>
        resources.reduce(
          (p, r) => p.then(() => importResource(deps, setup.connector, connection, r)),
          Promise.resolve() as Promise<unknown>,
        );
      return { botId, connection, run };
    }
    const linksOf = (friendId: string) =>
      t.db.kysely
        .selectFrom('links')
        .select(['customer_external_id', 'rule'])
        .where('friend_id', '=', friendId)
        .execute();

    it('links by phone once the customer has an order, whatever form the cart holds it in', async () => {
      const { botId, connection, run } = await connectBot();
      const shared = new Set(
        data.customers.flatMap((c) => (c.samePhoneAs ? [c.samePhoneAs, c.id] : [])),
      );
      const single = data.customers.filter(
        (c) => c.phone && !c.phone.landline && !shared.has(c.id),
      );
      const formats: PhoneFormat[] = ['hyphen', 'plain', 'split', 'e164', 'fullwidth', 'spaced'];
      const buyers = formats.map((f) =>
        single.find((c) => c.phone!.format === f && c.orderCount > 0)!,
      );
      expect(buyers.every(Boolean), 'the seed holds a buyer per phone form').toBe(true);
      const friends = await Promise.all(
        buyers.map((c) => insertFriend(t.db, botId, { phoneKey: e164(c) })),
      );
      const waiting = single.find((c) => c.orderCount === 0)!;
      const patient = await insertFriend(t.db, botId, { phoneKey: e164(waiting) });

      await run('customers', 'orders');
      for (const [i, c] of buyers.entries())
        expect(await linksOf(friends[i]!), `${c.phone!.format}: ${c.phone!.raw}`).toEqual([
          { customer_external_id: String(c.id), rule: 'phone' },
        ]);
      expect(await linksOf(patient)).toEqual([]);
      const report = (await new LinkEngine(t.db.kysely).unlinked(botId, 1000)).find(
        (u) => u.friendId === patient,
      );
      expect(report?.carts).toEqual([
        { connectionId: connection.id, cart: setup.kind, reason: 'customer_has_no_orders' },
      ]);

      // Its first order arrives: the next incremental import links it.
      fake.seed({
        customers: [],
        orders: [orderOf(data.orders[0]!, 90_001, waiting.id)],
        subscriptions: [],
      });
      await run('orders');
      expect(await linksOf(patient)).toEqual([
        { customer_external_id: String(waiting.id), rule: 'phone' },
      ]);
      expect(fake.violations).toEqual([]);
    });

    it('takes the birthday of the first linked customer, skips one without, and only when on', async () => {
      const { botId, run } = await connectBot();
      const [a, b] = data.customers;
      const first = person(a!, 80_001, '09088880001', '1990-04-01');
      const later = person(b!, 80_002, '09088880001', '1985-12-24');
      const none = person(b!, 80_003, '09088880002', null);
      const friend = await insertFriend(t.db, botId, { phoneKey: '+819088880001' });
      const plain = await insertFriend(t.db, botId, { phoneKey: '+819088880002' });
      const order = data.orders[0]!;
      fake.seed({
        customers: [first, none],
        orders: [orderOf(order, 80_001, first.id), orderOf(order, 80_003, none.id)],
        subscriptions: [],
      });
      await run('customers', 'orders');
      const birthdayOf = (id: string) =>
        t.db.kysely
          .selectFrom('friends')
          .select([
            sql<string | null>`to_char(birthday, 'YYYY-MM-DD')`.as('birthday'),
            'birthday_source',
          ])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      expect(await birthdayOf(friend)).toEqual({ birthday: '1990-04-01', birthday_source: 'cart' });
      expect(await birthdayOf(plain)).toEqual({ birthday: null, birthday_source: null });

      // A second record with the same phone links later: the first linked customer's stays.
      const next = new Date(NOW.getTime() + 3_600_000);
      fake.seed({
        customers: [{ ...later, updatedAt: next }],
        orders: [orderOf(order, 80_002, later.id, next)],
        subscriptions: [],
      });
      await run('customers', 'orders');
      expect((await linksOf(friend)).map((l) => l.customer_external_id).sort()).toEqual([
        '80001',
        '80002',
      ]);
      expect((await birthdayOf(friend)).birthday).toBe('1990-04-01');

      // The same customers through a connection that has birthday sync off change nothing.
      const off = await connectBot(false);
      const other = await insertFriend(t.db, off.botId, { phoneKey: '+819088880001' });
      await off.run('customers', 'orders');
      expect(await linksOf(other)).not.toEqual([]);
      expect(await birthdayOf(other)).toEqual({ birthday: null, birthday_source: null });
    });

    it('stores every 定期 status raw and normalized, an unknown one as unknown', async () => {
      const { connection, run } = await connectBot();
      const odd = data.subscriptions[0]!;
      fake.setSubscriptionStatus(odd.id, '休会中');
      await run('subscriptions');
      const rows = await t.db.kysely
        .selectFrom('cart_subscriptions')
        .select(['external_id', 'raw_status', 'status'])
        .where('connection_id', '=', connection.id)
        .execute();
      expect(rows).toHaveLength(data.subscriptions.length);
      const seen = new Set<string>();
      for (const s of data.subscriptions) {
        const row = rows.find((r) => r.external_id === String(s.id))!;
        if (s.id === odd.id) {
          expect(row).toMatchObject({ raw_status: '休会中', status: 'unknown' });
          continue;
        }
        expect(row).toMatchObject({ raw_status: setup.statuses[s.state], status: s.state });
        seen.add(s.state);
      }
      expect([...seen].sort()).toEqual(['active', 'cancelled', 'paused']);
    });
  });
}
