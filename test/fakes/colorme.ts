// A fake カラーミーショップ API (research/cart-apis.md §5) for tests and the demo mode: the real
// paths under /v1, the Bearer token (and its read_sales scope), update_date_min/max, limit ≤ 50 /
// offset paging with `meta`, faults on demand, a request log, and the 120-requests-a-minute
// guideline counted on the fake's clock: every breach is recorded in `violations`, which tests
// assert empty. Lists come newest id first, an order the API does not promise, so a connector
// that relied on a sort would fail here. Wire assumptions mirror carts/colorme.ts's header.
import { Hono, type Context } from 'hono';
import type { ShopCustomer, ShopData, ShopOrder } from './cart-data.ts';
import { customerJson, saleJson, type Json } from './colorme/records.ts';
import { createFaults, type FaultWire } from './faults.ts';
import { listenApp } from './listen.ts';
import { touchRows, type CartFake, type PagedRequest } from './paged-cart.ts';

export interface ColormeRequest extends PagedRequest {
  at: number;
}

export interface FakeColorme extends CartFake<ColormeRequest> {
  seed(data: ShopData): void;
  touch(customerIds: number[]): void;
  /** Changes one sale now (its update_date moves to the fake's clock). */
  editSale(id: number): void;
}

export const RATE_PER_MINUTE = 120;
const LIMIT_MAX = 50;
const JST = 9 * 3_600_000;
const KNOWN = new Set(['update_date_min', 'update_date_max', 'limit', 'offset']);

function parseFilter(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m ? (Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST) / 1000 : NaN;
}

export function createFakeColorme(opts: {
  accessToken: string;
  /** A token the shop authorized without read_sales. */
  tokenWithoutScope?: string;
  now?: () => Date;
}): FakeColorme {
  const now = () => (opts.now?.() ?? new Date('2026-11-23T00:00:00Z')).getTime();
  const customers = new Map<number, ShopCustomer>();
  const orders = new Map<number, ShopOrder>();
  const faults = createFaults();
  const requests: ColormeRequest[] = [];
  const violations: string[] = [];
  const recent: number[] = [];
  const app = new Hono();

  const unauthorized = (c: Context) =>
    c.json({ errors: [{ code: 401, message: 'Unauthorized' }] }, 401);
  const faultWire: FaultWire = {
    refused: unauthorized,
    tooMany: (c) => c.json({ errors: [{ code: 429, message: 'Too Many Requests' }] }, 429),
  };

  /** The guideline, counted per token over the last minute of the fake's clock. */
  function count(path: string): void {
    const t = now();
    recent.push(t);
    while (recent.length > 0 && recent[0]! <= t - 60_000) recent.shift();
    if (recent.length > RATE_PER_MINUTE)
      violations.push(
        `${path}: ${recent.length} requests within a minute (guideline ${RATE_PER_MINUTE})`,
      );
  }

  function list<T extends { id: number; updatedAt: Date }>(
    key: 'customers' | 'sales',
    rows: () => Iterable<T>,
    render: (r: T) => Json,
    spoil: (j: Json) => void,
  ) {
    return async (c: Context) => {
      const url = new URL(c.req.url);
      const query = Object.fromEntries(url.searchParams);
      const log = (status: number) =>
        requests.push({ path: url.pathname, query, status, at: now() });
      count(url.pathname);
      for (const k of Object.keys(query))
        if (!KNOWN.has(k)) violations.push(`${url.pathname}: unknown parameter ${k}`);
      const refusal = await faults.answer(c, log, faultWire);
      if (refusal) return refusal;
      const auth = c.req.header('authorization');
      if (opts.tokenWithoutScope && auth === `Bearer ${opts.tokenWithoutScope}`) {
        log(403);
        return c.json({ errors: [{ code: 403, message: 'read_sales scope required' }] }, 403);
      }
      if (auth !== `Bearer ${opts.accessToken}`) {
        log(401);
        return unauthorized(c);
      }
      const limit = Number(query.limit ?? 10);
      const offset = Number(query.offset ?? 0);
      const min =
        query.update_date_min === undefined ? -Infinity : parseFilter(query.update_date_min);
      const max =
        query.update_date_max === undefined ? Infinity : parseFilter(query.update_date_max);
      if (
        !(limit >= 1 && limit <= LIMIT_MAX) ||
        !(offset >= 0) ||
        Number.isNaN(min) ||
        Number.isNaN(max)
      ) {
        violations.push(`${url.pathname}: refused ${url.search}`);
        log(400);
        return c.json({ errors: [{ code: 400, message: 'invalid parameter' }] }, 400);
      }
      const all = [...rows()]
        .filter((r) => {
          const s = r.updatedAt.getTime() / 1000;
          return s >= min && s <= max;
        })
        .sort((a, b) => b.id - a.id);
      const slice = all.slice(offset, offset + limit).map(render);
      if (faults.spoils(slice)) spoil(slice[0]!);
      log(200);
      return c.json({ [key]: slice, meta: { total: all.length, limit, offset } });
    };
  }

  app.get(
    '/v1/customers.json',
    list(
      'customers',
      () => customers.values(),
      customerJson,
      (j) => (j.mail = 12345),
    ),
  );
  app.get(
    '/v1/sales.json',
    list(
      'sales',
      () => orders.values(),
      (o) => saleJson(o, customers.get(o.customerId)),
      (j) => (j.details = null),
    ),
  );
  app.all('*', (c) => {
    requests.push({ path: new URL(c.req.url).pathname, query: {}, status: 404, at: now() });
    return c.json({ errors: [{ code: 404, message: 'Not Found' }] }, 404);
  });

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    violations,
    seed(data) {
      for (const c of data.customers) customers.set(c.id, c);
      for (const o of data.orders) orders.set(o.id, o);
    },
    inject: faults.inject,
    touch: (ids) => touchRows(customers, ids, 'customer'),
    editSale(id) {
      const o = orders.get(id);
      if (!o) throw new Error(`no sale ${id}`);
      orders.set(id, { ...o, updatedAt: new Date(Math.floor(now() / 1000) * 1000) });
    },
  };
}
