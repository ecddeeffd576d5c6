// The one contract every cart connector passes against its fake (DESIGN habit 3): verify, full
// and resumed imports, incremental sync, retries, unreadable records and raw identity fields.
// Each cart's test file calls connectorContract() with a harness around its fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CartConnector, ConnectorContext, Page } from '../../carts/connector.ts';
import { CartError } from '../../carts/connector.ts';
import { normalizePhone } from '../../crm/identity.ts';
import {
  generateShop,
  type ShopCustomer,
  type ShopData,
  type ShopOrder,
  type ShopSubscription,
} from '../fakes/cart-data.ts';

export type ContractFault =
  'bad_credentials' | 'rate_limit' | 'server_error' | 'timeout' | 'malformed_record';

export interface ContractHarness<C> {
  connector: CartConnector<C>;
  /** Points at the fake. Its `sleep` is replaced by the suite, which records backoff instead. */
  ctx: ConnectorContext<C>;
  /** Credentials the cart refuses, and the credential field the error must name. */
  wrongCredentials: { credentials: C; field: string };
  seed(data: ShopData): void | Promise<void>;
  /** The next `times` requests fail this way (malformed_record: one record of the next list). */
  failNext(kind: ContractFault, times?: number): void;
  /** Changes these customers in the cart so their updated-at moves past every other record. */
  touch(customerIds: number[]): void | Promise<void>;
  close(): Promise<void>;
  /**
   * Carts with a per-second request rule (makeshop, 楽楽リピート) run on a virtual clock that the
   * suite's recorded sleeps advance, so their fakes can check the spacing on that clock.
   */
  advance?(ms: number): void;
  /** How the cart names seeded records; default String(id). */
  customerId?(c: ShopCustomer): string;
  orderId?(o: ShopOrder): string;
  subscriptionId?(s: ShopSubscription): string;
  /** The raw phones the fake holds for a customer; default [phone.raw]. */
  storedPhones?(c: ShopCustomer): string[];
  /** Carts without a birthday or cart-side LINE id say so; the suite then expects null. */
  holds?: { birthday?: boolean; lineUserId?: boolean };
  /**
   * Carts with no customer records (Rakuten) derive customers from orders: a customer exists only
   * once they ordered, comes again (as of a later order) on each later page where they ordered
   * again, and the record the cart could not read is an order, whose orderer may still come from
   * their other orders.
   */
  customersFromOrders?: boolean;
  /** Carts that serve only recent orders (Rakuten: 730 days back) say which they list; default all. */
  listsOrder?(o: ShopOrder): boolean;
  /** The e-mail the cart holds for a customer; default c.email. */
  storedEmail?(c: ShopCustomer): string | null;
  /** When the cart says the customer last changed; default c.updatedAt. */
  customerUpdatedAt?(c: ShopCustomer): Date;
  /** The shipped date the cart gives for an order; default o.shippedAt. */
  shippedAt?(o: ShopOrder): Date | null;
}

// Enough customers for several pages, with one bulk-updated run longer than a 100-record page.
const DATA = generateShop(20261123, 400, { bulkUpdateShare: 0.45 });

async function collect<T>(pages: AsyncIterable<Page<T>>): Promise<Array<Page<T>>> {
  const out: Array<Page<T>> = [];
  for await (const page of pages) out.push(page);
  return out;
}
const ids = (pages: Array<Page<{ externalId: string }>>) =>
  pages.flatMap((p) => p.items.map((i) => i.externalId));
const sorted = (xs: string[]) => [...xs].sort();
const unique = (xs: string[]) => sorted([...new Set(xs)]);
const e164 = (digits: string) => `+81${digits.slice(1)}`;

async function rejection(p: Promise<unknown>): Promise<CartError> {
  const e: unknown = await p.then(
    () => new Error('expected a CartError, but it resolved'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CartError);
  return e as CartError;
}

export function connectorContract<C>(name: string, setup: () => Promise<ContractHarness<C>>): void {
  describe(`cart connector contract: ${name}`, () => {
    let h: ContractHarness<C>;
    let ctx: ConnectorContext<C>;
    let sleeps: number[];
    const customerId = (c: ShopCustomer) => h.customerId?.(c) ?? String(c.id);
    const orderId = (o: ShopOrder) => h.orderId?.(o) ?? String(o.id);
    /** The customers the cart holds: without customer records, only those who ordered. */
    const listed = () => DATA.orders.filter((o) => h.listsOrder?.(o) ?? true);
    const held = () => {
      if (!h.customersFromOrders) return DATA.customers;
      const ordered = new Set(listed().map((o) => o.customerId));
      return DATA.customers.filter((c) => ordered.has(c.id));
    };
    /** Every customer once; a cart deriving customers from orders repeats them across pages. */
    const expectCustomerIds = (pages: Array<Page<{ externalId: string }>>, want: string[]) => {
      if (!h.customersFromOrders) return expect(sorted(ids(pages))).toEqual(sorted(want));
      for (const p of pages) expect(unique(ids([p]))).toHaveLength(p.items.length);
      expect(unique(ids(pages))).toEqual(unique(want));
    };

    beforeEach(async () => {
      h = await setup();
      sleeps = [];
      ctx = {
        ...h.ctx,
        sleep: (ms) => {
          sleeps.push(ms);
          h.advance?.(ms);
          return Promise.resolve();
        },
      };
      await h.seed(DATA);
    });
    afterEach(async () => {
      await h.close();
    });

    it('verifies good credentials', async () => {
      await expect(h.connector.verify(ctx)).resolves.toBeUndefined();
    });

    it('refuses wrong credentials as bad_credentials, naming the field', async () => {
      const e = await rejection(
        h.connector.verify({ ...ctx, credentials: h.wrongCredentials.credentials }),
      );
      expect(e.kind).toBe('bad_credentials');
      expect(e.field).toBe(h.wrongCredentials.field);
      expect(sleeps).toEqual([]);
    });

    it('imports every customer and order exactly once, over several pages', async () => {
      const customers = await collect(h.connector.customers(ctx, null));
      const orders = await collect(h.connector.orders(ctx, null));
      expect(customers.length).toBeGreaterThan(2);
      expect(orders.length).toBeGreaterThan(2);
      expectCustomerIds(customers, held().map(customerId));
      expect(sorted(ids(orders))).toEqual(sorted(listed().map(orderId)));
      expect([...customers, ...orders].flatMap((p) => p.skipped)).toEqual([]);
      for (const p of [...customers, ...orders]) expect(p.cursor).not.toBeNull();
      // Customers who never ordered are imported too where the cart holds them (they link once
      // an order arrives, F2.4).
      expect(DATA.customers.some((c) => c.orderCount === 0)).toBe(true);

      const byId = new Map(DATA.orders.map((o) => [orderId(o), o]));
      for (const order of orders.flatMap((p) => p.items)) {
        const seeded = byId.get(order.externalId)!;
        const owner = DATA.customers.find((c) => c.id === seeded.customerId)!;
        expect(order.customerExternalId).toBe(customerId(owner));
        expect(order.totalAmount).toBe(seeded.total);
        expect(order.items.map((i) => [i.productCode, i.quantity])).toEqual(
          seeded.items.map((i) => [i.productCode, i.quantity]),
        );
        const shipped = h.shippedAt ? h.shippedAt(seeded) : seeded.shippedAt;
        expect(order.shippedAt?.getTime() ?? null).toBe(shipped?.getTime() ?? null);
        expect(order.cancelled).toBe(seeded.state === 'cancelled');
      }
    });

    it('imports every subscription exactly once, when the cart has them', async () => {
      if (!h.connector.subscriptions) return expect(DATA.subscriptions.length).toBeGreaterThan(0);
      const pages = await collect(h.connector.subscriptions(ctx, null));
      const subscriptionId = (s: ShopSubscription) => h.subscriptionId?.(s) ?? String(s.id);
      expect(sorted(ids(pages))).toEqual(sorted(DATA.subscriptions.map(subscriptionId)));
    });

    it('resumes from any stored cursor exactly after that page', async () => {
      const sync = (
        list: 'customers' | 'orders',
        cursor: string | null,
      ): AsyncIterable<Page<{ externalId: string }>> =>
        list === 'customers' ? h.connector.customers(ctx, cursor) : h.connector.orders(ctx, cursor);
      for (const list of ['customers', 'orders'] as const) {
        const pages = await collect(sync(list, null));
        for (let k = 0; k < pages.length; k++) {
          const rest = await collect(sync(list, pages[k]!.cursor));
          const expected = ids(pages.slice(k + 1));
          const got = ids(rest);
          if (list === 'customers' && h.customersFromOrders) {
            // Customers derived from orders come again on later pages, never twice on one; how
            // often depends on where pages break, which a resumed run may place differently.
            for (const p of rest)
              expect(unique(ids([p])), `${list} after page ${k}`).toHaveLength(p.items.length);
            expect(unique(got), `${list} after page ${k}`).toEqual(unique(expected));
            continue;
          }
          expect(new Set(got).size, `${list} after page ${k}: duplicates`).toBe(got.length);
          expect(sorted(got), `${list} after page ${k}`).toEqual(sorted(expected));
        }
      }
    });

    it('syncs only the touched customers from the last cursor', async () => {
      const full = await collect(h.connector.customers(ctx, null));
      const last = full.at(-1)!.cursor;
      expect(ids(await collect(h.connector.customers(ctx, last)))).toEqual([]);

      const touched = [3, 150, 151, 399, 42];
      await h.touch(touched);
      const again = await collect(h.connector.customers(ctx, last));
      const want = DATA.customers.filter((c) => touched.includes(c.id)).map(customerId);
      expect(sorted(ids(again))).toEqual(sorted(want));
      const newest = again.at(-1)!.cursor;
      expect(ids(await collect(h.connector.customers(ctx, newest)))).toEqual([]);
    });

    it('retries 429, 5xx and timeouts, and still imports every record once', async () => {
      h.failNext('rate_limit', 2);
      h.failNext('server_error', 2);
      h.failNext('timeout', 1);
      const customers = await collect(h.connector.customers(ctx, null));
      expectCustomerIds(customers, held().map(customerId));
      expect(sleeps.length).toBeGreaterThanOrEqual(5);
      expect(sleeps.every((ms) => ms > 0)).toBe(true);
    });

    it('gives up as unavailable when the cart keeps failing', async () => {
      h.failNext('server_error', 1000);
      const e = await rejection(collect(h.connector.customers(ctx, null)));
      expect(e.kind).toBe('unavailable');
      expect(sleeps.length).toBeGreaterThan(0);
    });

    it('stops without retrying when the cart refuses the credentials mid-sync', async () => {
      h.failNext('bad_credentials', 1);
      const e = await rejection(collect(h.connector.orders(ctx, null)));
      expect(['bad_credentials', 'revoked']).toContain(e.kind);
      expect(sleeps).toEqual([]);
    });

    it('reports a malformed record in skipped and imports the rest', async () => {
      h.failNext('malformed_record');
      const pages = await collect(h.connector.customers(ctx, null));
      const skipped = pages.flatMap((p) => p.skipped);
      expect(skipped).toHaveLength(1);
      if (h.customersFromOrders) {
        // The unreadable record is an order: its orderer is missing only if it was their only one.
        const order = DATA.orders.find((o) => orderId(o) === skipped[0]!.externalId)!;
        const owner = DATA.customers.find((c) => c.id === order.customerId)!;
        expect(unique([...ids(pages), customerId(owner)])).toEqual(unique(held().map(customerId)));
        expect(skipped[0]!.reason).not.toBe('');
        return;
      }
      const got = ids(pages);
      expect(got).toHaveLength(DATA.customers.length - 1);
      expect(got).not.toContain(skipped[0]!.externalId);
      expect(sorted([...got, skipped[0]!.externalId!])).toEqual(
        sorted(DATA.customers.map(customerId)),
      );
      expect(skipped[0]!.reason).not.toBe('');
    });

    it('keeps phones, e-mails and the LINE id raw', async () => {
      const got = new Map(
        (await collect(h.connector.customers(ctx, null)))
          .flatMap((p) => p.items)
          .map((c) => [c.externalId, c]),
      );
      const holds = { birthday: true, lineUserId: true, ...h.holds };
      for (const seeded of held()) {
        const c = got.get(customerId(seeded))!;
        const label = `customer ${seeded.id}`;
        expect(c.email, label).toBe(h.storedEmail ? h.storedEmail(seeded) : seeded.email);
        expect(c.phones, label).toEqual(
          h.storedPhones?.(seeded) ?? (seeded.phone ? [seeded.phone.raw] : []),
        );
        if (seeded.phone) {
          const keys = c.phones.map((p) => normalizePhone(p)).map((r) => (r.ok ? r.e164 : null));
          expect(keys, label).toContain(e164(seeded.phone.digits));
        }
        expect(c.lineUserId, label).toBe(holds.lineUserId ? seeded.lineUserId : null);
        expect(c.birthday, label).toBe(holds.birthday ? seeded.birthday : null);
        expect(c.name, label).toContain(seeded.familyName);
        const updatedAt = h.customerUpdatedAt ? h.customerUpdatedAt(seeded) : seeded.updatedAt;
        expect(c.updatedAt.getTime(), label).toBe(updatedAt.getTime());
      }
      // The seed holds the awkward cases this checks.
      expect(DATA.customers.some((c) => c.email !== null && c.email !== c.email.trim())).toBe(true);
      expect(DATA.customers.some((c) => c.phone?.format === 'fullwidth')).toBe(true);
      expect(DATA.customers.some((c) => c.phone && c.phone.raw !== c.phone.raw.trim())).toBe(true);
      expect(DATA.customers.some((c) => c.samePhoneAs !== null)).toBe(true);
    });

    it('links each customer to an https page in the cart admin', () => {
      for (const seeded of DATA.customers.slice(0, 20)) {
        const externalId = customerId(seeded);
        const url = new URL(
          h.connector.customerAdminUrl(ctx.credentials, { externalId, number: seeded.number }),
        );
        expect(url.protocol).toBe('https:');
        expect(url.href.includes(externalId) || url.href.includes(seeded.number)).toBe(true);
      }
    });
  });
}
