// A fake futureshop admin API (research/cart-apis.md §4) for tests and the demo mode: the token
// endpoint (Basic client id:secret + X-SHOP-KEY, client_credentials, expiring tokens), Bearer +
// X-SHOP-KEY on the member and order (shipping) searches, `updateDateStart` and `nextUrl`
// paging, faults on demand and a request log. Wire details not verified are mirrored from
// carts/futureshop.ts's header; the made-up record fields are listed in ./futureshop/records.ts.
import { Hono, type Context } from 'hono';
import type { ShopCustomer, ShopData, ShopOrder } from './cart-data.ts';
import { createFaults } from './faults.ts';
import { listenApp } from './listen.ts';
import { fsTime, memberJson, orderJson, orderNoOf, type Json } from './futureshop/records.ts';
import { rowsSince, touchRows, type CartFake, type PagedRequest } from './paged-cart.ts';

/**
 * `inject`: bad_credentials revokes the client: every token dies and the next `times` token
 * requests are refused too.
 */
export interface FakeFutureshop extends CartFake<PagedRequest> {
  /** Tokens issued, oldest first. */
  tokensIssued: string[];
  seed(data: ShopData): void;
  /** Ends every token issued so far (as if futureshop expired them early). */
  expireTokens(): void;
  touch(customerIds: number[]): void;
}

/** Records per page: the API has no page size parameter that the research found. */
export const PAGE = 100;
const JST = 9 * 3_600_000;
const KNOWN_PARAMS = new Set(['updateDateStart', 'updateDateEnd', 'page']);

function parseFsTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST : NaN;
}

export function createFakeFutureshop(opts: {
  shopKey: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime of a token in seconds (futureshop: 3600 per one integrator). */
  expiresIn?: number;
  now?: () => Date;
}): FakeFutureshop {
  const now = () => (opts.now?.() ?? new Date('2026-11-23T00:00:00Z')).getTime();
  const customers = new Map<number, ShopCustomer>();
  const orders = new Map<number, ShopOrder>();
  const tokens = new Map<string, number>();
  const tokensIssued: string[] = [];
  const faults = createFaults();
  const requests: PagedRequest[] = [];
  const violations: string[] = [];
  let refuseTokens = 0;
  const app = new Hono();
  const basic = `Basic ${btoa(`${opts.clientId}:${opts.clientSecret}`)}`;

  app.post('/oauth/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const log = (status: number) => requests.push({ path: '/oauth/token', query: {}, status });
    if (form.get('grant_type') !== 'client_credentials') {
      log(400);
      return c.json({ error: 'unsupported_grant_type' }, 400);
    }
    const wrong =
      c.req.header('authorization') !== basic || c.req.header('x-shop-key') !== opts.shopKey;
    if (wrong || refuseTokens > 0) {
      if (!wrong) refuseTokens--;
      log(401);
      return c.json({ error: 'invalid_client' }, 401);
    }
    const token = `fs-${crypto.randomUUID()}`;
    const expiresIn = opts.expiresIn ?? 3600;
    tokens.set(token, now() + expiresIn * 1000);
    tokensIssued.push(token);
    log(200);
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
  });

  function search<T extends { id: number; updatedAt: Date }>(
    key: 'members' | 'orderList',
    rows: () => Iterable<T>,
    render: (r: T) => Json,
    spoil: (j: Json) => void,
  ) {
    return async (c: Context) => {
      const url = new URL(c.req.url);
      const query = Object.fromEntries(url.searchParams);
      const log = (status: number) => requests.push({ path: url.pathname, query, status });
      for (const k of Object.keys(query))
        if (!KNOWN_PARAMS.has(k)) violations.push(`${url.pathname}: unknown parameter ${k}`);
      if (c.req.header('x-shop-key') === undefined)
        violations.push(`${url.pathname}: no X-SHOP-KEY header`);
      const refusal = await faults.answer(c, log, {
        refused: (c) => {
          tokens.clear();
          refuseTokens += 1;
          return c.json({ error: 'invalid_token' }, 401);
        },
        tooMany: (c) => c.json({ error: 'too_many_requests' }, 429),
      });
      if (refusal) return refusal;
      const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
      const expires = bearer ? tokens.get(bearer) : undefined;
      if (
        expires === undefined ||
        expires <= now() ||
        c.req.header('x-shop-key') !== opts.shopKey
      ) {
        log(401);
        return c.json({ error: 'invalid_token' }, 401);
      }
      const start = query.updateDateStart;
      const from = start === undefined ? -Infinity : parseFsTime(start);
      if (Number.isNaN(from)) {
        log(400);
        return c.json({ errors: [{ message: 'updateDateStart の形式が正しくありません' }] }, 400);
      }
      // Oldest update first, ties by id (member ids and order numbers grow with our ids).
      const all = rowsSince(rows(), from);
      const page = Math.max(1, Number(query.page ?? 1) || 1);
      const slice = all.slice((page - 1) * PAGE, page * PAGE).map(render);
      if (faults.spoils(slice)) spoil(slice[0]!);
      let nextUrl: string | null = null;
      if (page * PAGE < all.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        nextUrl = next.toString();
      }
      log(200);
      return c.json({ [key]: slice, nextUrl });
    };
  }

  app.get(
    '/admin-api/v1/members',
    search(
      'members',
      () => customers.values(),
      memberJson,
      (j) => (j.mail = 12345),
    ),
  );
  app.get(
    '/admin-api/v1/shipping',
    search(
      'orderList',
      () => orders.values(),
      (o) => orderJson(o, customers.get(o.customerId)),
      (j) => (j.shipmentList = null),
    ),
  );
  app.all('*', (c) => {
    requests.push({ path: new URL(c.req.url).pathname, query: {}, status: 404 });
    return c.json({ error: 'not_found' }, 404);
  });

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    tokensIssued,
    violations,
    seed(data) {
      for (const c of data.customers) customers.set(c.id, c);
      for (const o of data.orders) orders.set(o.id, o);
    },
    inject: faults.inject,
    expireTokens() {
      tokens.clear();
    },
    touch: (ids) => touchRows(customers, ids, 'customer'),
  };
}

export { fsTime, orderNoOf };
