// The machinery of a fake cart whose REST lists are read by update time a page at a time (the fake
// リピスト and サブスクストア): auth check, faults on demand (bad credentials, 429, 5xx, hang, one
// malformed record), a request log, the API's request rules recorded as violations (page size,
// sort, and, when the fake is given the client's clock, requests closer than the minimum
// interval), records sorted by (updated-at, id). Each fake supplies its wire: paths, parameter
// names, envelope and record shapes. The other cart fakes share its smaller pieces: what a fake
// gives a test (CartFake), rows read by update time (rowsSince) and a bulk edit (touchRows).
import { Hono, type Context } from 'hono';
import type { ShopCustomer, ShopData, ShopOrder, ShopSubscription } from './cart-data.ts';
import { createFaults, type CartFault } from './faults.ts';
import { listenApp, type Listening } from './listen.ts';

export interface PagedRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

/** What every cart fake gives a test: its app, a server, the request log, rules broken, faults. */
export interface CartFake<R = PagedRequest> {
  app: Hono;
  listen(port?: number): Promise<Listening>;
  /** Every request, answered or refused, oldest first. */
  requests: R[];
  /** Requests the real cart would refuse, or that break its rules, with the rule broken. */
  violations: string[];
  /** The next `times` requests fail this way (malformed_record: the next list with records). */
  inject(kind: CartFault, times?: number): void;
}

export interface Row {
  id: number;
  updatedAt: Date;
}

/** How one fake cart reads its requests and writes its answers. */
export interface PagedWire {
  authorized(headers: Headers): boolean;
  refused(c: Context): Response;
  /** The page a query asks for, or a refusal message (a request rule broken). */
  query(q: Record<string, string>): { from: number; offset: number; limit: number } | string;
  envelope(records: unknown[], total: number, offset: number, limit: number): unknown;
  /** Spoils one rendered record so the connector cannot read it (its id and updated-at kept). */
  spoil(record: Record<string, unknown>): void;
  /** Least ms between two requests the real cart accepts (checked only with a clock). */
  minIntervalMs: number;
}

export type PagedFake = CartFake;

export function createPagedFake(
  wire: PagedWire,
  lists: Record<
    string,
    { rows: () => Iterable<Row>; render: (row: Row) => Record<string, unknown> }
  >,
  clock?: () => number,
): PagedFake {
  const app = new Hono();
  const requests: PagedRequest[] = [];
  const violations: string[] = [];
  const faults = createFaults();
  let lastAt: number | null = null;

  for (const [path, list] of Object.entries(lists)) {
    app.get(path, async (c) => {
      const url = new URL(c.req.url);
      const query = Object.fromEntries(url.searchParams);
      const log = (status: number) => requests.push({ path: url.pathname, query, status });
      if (clock) {
        const now = clock();
        if (lastAt !== null && now - lastAt < wire.minIntervalMs)
          violations.push(`${url.pathname}: ${now - lastAt} ms after the previous request`);
        lastAt = now;
      }
      const refusal = await faults.answer(c, log, {
        refused: wire.refused,
        tooMany: (c) => c.json({ error: 'Too Many Requests' }, 429),
      });
      if (refusal) return refusal;
      if (!wire.authorized(c.req.raw.headers)) {
        log(401);
        return wire.refused(c);
      }
      const q = wire.query(query);
      if (typeof q === 'string') {
        violations.push(`${url.pathname}: ${q}`);
        log(400);
        return c.json({ error: q }, 400);
      }
      const all = rowsSince(list.rows(), q.from);
      const records = all.slice(q.offset, q.offset + q.limit).map(list.render);
      if (faults.spoils(records)) wire.spoil(records[0]!);
      log(200);
      return c.json(wire.envelope(records, all.length, q.offset, q.limit) as object);
    });
  }
  app.all('*', (c) => {
    const url = new URL(c.req.url);
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status: 404 });
    return c.html('<h1>404 Not Found</h1>', 404);
  });

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    violations,
    inject: faults.inject,
  };
}

/** A paged fake of a subscription cart, serving a shop's customers, orders and 定期. */
export interface PagedShopFake extends PagedFake {
  seed(data: ShopData): void;
  /** Changes these customers so their updated-at moves past every other record. */
  touch(customerIds: number[]): void;
  /** Gives a 定期 a status value of the test's choosing (e.g. one the mapping does not know). */
  setSubscriptionStatus(id: number, raw: string): void;
  customers: Map<number, ShopCustomer>;
}

type Rendered = Record<string, unknown>;

/** Each list's path and record shape; a 定期's status is the test's value when one was set. */
export interface PagedShopLists {
  customers: { path: string; render(c: ShopCustomer): Rendered };
  orders: { path: string; render(o: ShopOrder, customer: ShopCustomer | undefined): Rendered };
  subscriptions: { path: string; render(s: ShopSubscription, status?: string): Rendered };
}

export function createPagedShopFake(
  wire: PagedWire,
  lists: PagedShopLists,
  clock?: () => number,
): PagedShopFake {
  const customers = new Map<number, ShopCustomer>();
  const orders = new Map<number, ShopOrder>();
  const subs = new Map<number, ShopSubscription>();
  const statusOverride = new Map<number, string>();
  const fake = createPagedFake(
    wire,
    {
      [lists.customers.path]: {
        rows: () => customers.values(),
        render: (row) => lists.customers.render(row as ShopCustomer),
      },
      [lists.orders.path]: {
        rows: () => orders.values(),
        render: (row) => {
          const o = row as ShopOrder;
          return lists.orders.render(o, customers.get(o.customerId));
        },
      },
      [lists.subscriptions.path]: {
        rows: () => subs.values(),
        render: (row) =>
          lists.subscriptions.render(row as ShopSubscription, statusOverride.get(row.id)),
      },
    },
    clock,
  );
  return {
    ...fake,
    customers,
    seed(data) {
      for (const c of data.customers) customers.set(c.id, c);
      for (const o of data.orders) orders.set(o.id, o);
      for (const s of data.subscriptions) subs.set(s.id, s);
    },
    touch: (ids) => touchRows(customers, ids),
    setSubscriptionStatus(id, raw) {
      statusOverride.set(id, raw);
      touchRows(subs, [id]);
    },
  };
}

/** Rows updated at or after `from`, oldest update first, ties by id (the order a sync reads). */
export function rowsSince<T extends Row>(rows: Iterable<T>, from: number): T[] {
  return [...rows]
    .filter((r) => r.updatedAt.getTime() >= from)
    .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.id - b.id);
}

/** Moves rows' updated-at to one new second after every other row's (as a bulk edit does). */
export function touchRows<T extends Row>(rows: Map<number, T>, ids: number[], what = 'row'): void {
  let latest = 0;
  for (const r of rows.values()) latest = Math.max(latest, r.updatedAt.getTime());
  const at = new Date(latest + 60_000);
  for (const id of ids) {
    const r = rows.get(id);
    if (!r) throw new Error(`no ${what} ${id}`);
    rows.set(id, { ...r, updatedAt: at });
  }
}
