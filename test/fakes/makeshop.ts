// A fake makeshop (research/cart-apis.md §6.1) for tests and the demo mode: the order API
// (GET /api/orderinfo/index.html?cmd=get, XML, at most 100 orders a call) and the member API (an
// access URL issued at POST /api/member/, valid 5 minutes, then POSTed to), both behind the
// shop's one-request-per-second rule. Rule breaks are recorded in `violations` (a test asserts it
// stays empty): a request less than a second after the previous one of the shop (any API), a
// request while one is still running, an expired access URL used, a limit over 100. The clock is
// injectable so tests can run on the connector's virtual clock. Wire details not verified are
// mirrored from carts/makeshop.ts's header; the error bodies are made up.
import { Hono, type Context } from 'hono';
import type { ShopCustomer, ShopData } from './cart-data.ts';
import { createFaults } from './faults.ts';
import { listenApp } from './listen.ts';
import {
  memberXml,
  orderXml,
  parseQueryTime,
  xmlDocument,
  xmlError,
  type MemberRecord,
  type OrderRecord,
} from './makeshop/xml.ts';
import type { CartFake, PagedRequest } from './paged-cart.ts';

export interface MakeshopRequest extends PagedRequest {
  at: number;
}

export interface FakeMakeshop extends CartFake<MakeshopRequest> {
  seed(data: ShopData): void;
  /** These members change now: their update datetime moves one second past every other. */
  touch(customerIds: number[]): void;
  orders: Map<string, OrderRecord>;
  members: Map<string, MemberRecord>;
}

export const MAX_OUTPUT = 100;
export const ACCESS_URL_TTL_MS = 5 * 60_000;

export function createFakeMakeshop(opts: {
  shopId: string;
  orderToken: string;
  memberToken: string;
  now?: () => Date;
  /** The shop's rule: least time between two requests (default 1000 ms). */
  minIntervalMs?: number;
}): FakeMakeshop {
  const now = () => (opts.now?.() ?? new Date()).getTime();
  const minInterval = opts.minIntervalMs ?? 1000;
  const orders = new Map<string, OrderRecord>();
  const members = new Map<string, MemberRecord>();
  const customers = new Map<number, ShopCustomer>();
  const keys = new Map<string, number>();
  const faults = createFaults();
  const requests: MakeshopRequest[] = [];
  const violations: string[] = [];
  let last: number | null = null;
  let running = 0;
  let nextKey = 1;
  const app = new Hono();

  const xml = (c: Context, body: string, status = 200) =>
    c.body(body, status as 200, { 'Content-Type': 'application/xml; charset=UTF-8' });

  /** The shop's rules and injected faults, before any endpoint answers. */
  function gate(
    name: string,
    answer: (c: Context, q: Record<string, string>) => Response | Promise<Response>,
  ) {
    return async (c: Context) => {
      const at = now();
      const url = new URL(c.req.url);
      const q: Record<string, string> = Object.fromEntries(url.searchParams);
      if (c.req.method === 'POST')
        Object.assign(q, Object.fromEntries(new URLSearchParams(await c.req.text())));
      if (running > 0) violations.push(`${name}: sent while another request was still running`);
      if (last !== null && at - last < minInterval)
        violations.push(
          `${name}: ${at - last} ms after the previous request (1 request per second)`,
        );
      last = at;
      const log = (status: number) => requests.push({ path: url.pathname, query: q, at, status });
      running++;
      try {
        const refusal = await faults.answer(c, log, {
          refused: (c) => xml(c, xmlError('E401', '認証コードが正しくありません'), 401),
          tooMany: (c) => xml(c, xmlError('E429', 'アクセスが集中しています'), 429),
          unavailable: (c) => xml(c, xmlError('E503', 'Service Unavailable'), 503),
          // A held request stops counting as running: the client times out and may send again.
          async hold(wait) {
            running--;
            await wait();
            running++;
          },
        });
        if (refusal) return refusal;
        const res = await answer(c, q);
        log(res.status);
        return res;
      } finally {
        running--;
      }
    };
  }

  function window(q: Record<string, string>, a: string, b: string) {
    return { start: parseQueryTime(q[a]), end: parseQueryTime(q[b]) };
  }

  /** One page of `max` records of the window, as makeshop outputs: no hint that more exist. */
  function listed<R extends { xml: string }>(
    records: Iterable<R>,
    at: (r: R) => number,
    start: number,
    end: number,
    max: number,
    page = 1,
  ): R[] {
    return [...records]
      .filter((r) => at(r) >= start && at(r) <= end)
      .sort((x, y) => at(y) - at(x) || (x.xml < y.xml ? 1 : -1)) // newest first: undocumented
      .slice((page - 1) * max, page * max)
      .reverse();
  }

  /** With a malformed_record fault pending, the first record listed breaks for good (as in a cart). */
  function malformed<R extends { xml: string }>(hits: R[]): string[] {
    if (faults.spoils(hits))
      // An order date / update datetime in no format makeshop uses.
      hits[0]!.xml = hits[0]!.xml.replace(/<(date|update_date)>[^<]*</, '<$1>yesterday<');
    return hits.map((h) => h.xml);
  }

  app.get(
    '/api/orderinfo/index.html',
    gate('orderinfo', (c, q) => {
      if (q.shopid !== opts.shopId || q.token !== opts.orderToken)
        return xml(c, xmlError('E401', '認証コードが正しくありません'), 401);
      if (q.cmd !== 'get') return xml(c, xmlError('E400', `cmd ${q.cmd ?? ''} is not faked`), 400);
      const { start, end } = window(q, 'start', 'end');
      if (start === null || end === null) return xml(c, xmlError('E400', 'start/end'), 400);
      const hits = listed(orders.values(), (o) => o.orderedAt, start, end, MAX_OUTPUT);
      return xml(c, xmlDocument('orders', malformed(hits)));
    }),
  );

  app.post(
    '/api/member/',
    gate('member', (c, q) => {
      if (q.shop_id !== opts.shopId || q.token !== opts.memberToken)
        return xml(c, xmlError('E401', '認証コードが正しくありません'), 401);
      const key = `k${nextKey++}`;
      keys.set(key, now());
      const url = `${new URL(c.req.url).origin}/api/member/get/${key}`;
      return xml(
        c,
        `<?xml version="1.0" encoding="UTF-8"?>\n<response><url>${url}</url></response>`,
      );
    }),
  );

  app.post(
    '/api/member/get/:key',
    gate('member/get', (c, q) => {
      const issued = keys.get(c.req.param('key') ?? '');
      if (issued === undefined)
        return xml(c, xmlError('E403', 'アクセスURLが正しくありません'), 403);
      if (now() - issued >= ACCESS_URL_TTL_MS) {
        violations.push(
          `member/get: access URL used ${(now() - issued) / 1000} s after it was issued`,
        );
        return xml(c, xmlError('E403', 'アクセスURLの有効期限が切れています'), 403);
      }
      const limit = Number(q.limit ?? MAX_OUTPUT);
      if (limit > MAX_OUTPUT) violations.push(`member/get: limit ${limit} over ${MAX_OUTPUT}`);
      const { start, end } = window(q, 'start_date', 'end_date');
      if (start === null || end === null)
        return xml(c, xmlError('E400', 'start_date/end_date'), 400);
      const page = Number(q.page ?? 1);
      const hits = listed(
        members.values(),
        (m) => m.updatedAt,
        start,
        end,
        Math.min(limit, MAX_OUTPUT),
        page,
      );
      return xml(c, xmlDocument('members', malformed(hits)));
    }),
  );

  app.all('*', (c) => xml(c, xmlError('E404', 'Not Found'), 404));

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    violations,
    orders,
    members,
    seed(shop) {
      for (const c of shop.customers) {
        customers.set(c.id, c);
        const m = memberXml(c, c.updatedAt);
        members.set(m.id, m);
      }
      for (const o of shop.orders) {
        const r = orderXml(o, customers.get(o.customerId)!);
        orders.set(r.number, r);
      }
    },
    inject: faults.inject,
    touch(ids) {
      const latest = Math.max(...[...members.values()].map((m) => m.updatedAt));
      for (const id of ids) {
        const m = memberXml(customers.get(id)!, new Date(latest + 1000));
        members.set(m.id, m);
      }
    },
  };
}
