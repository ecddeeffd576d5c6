// A fake 楽楽リピート (research/cart-apis.md §6.2) for tests and the demo mode: the order search
// (GET /api/v1/sales.json by update datetime, Bearer token, JSON) and the OAuth2 token endpoint,
// with the API's rules recorded in `violations` (a test asserts it stays empty): a request less
// than a second after the previous one, a request while one is running, a search asking past its
// 500th result. The clock is injectable so tests can run on the connector's virtual clock. Field
// names are those carts/rakuraku.ts assumes (unverified); error bodies are made up.
import { Hono, type Context } from 'hono';
import type { ShopCustomer, ShopData, ShopOrder, ShopSubscription } from './cart-data.ts';
import { createFaults } from './faults.ts';
import { listenApp } from './listen.ts';
import { reorder } from './reorder.ts';

export const MAX_RESULTS = 500;
const JST = 9 * 3_600_000;
const fmt = (d: Date) => new Date(d.getTime() + JST).toISOString().slice(0, 19).replace('T', ' ');
const parse = (s: string | undefined) => {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST : null;
};
const CARRIERS = { yamato: 'ヤマト運輸', sagawa: '佐川急便', japanpost: '日本郵便' } as const;
/** 継続ステータス as the shop's admin shows it (SPEC F4.3). */
export const TEIKI_STATUS = { active: 'ご注文継続', paused: '休止', cancelled: 'ご解約' } as const;

export interface SaleJson {
  id: number;
  update_date: string;
  [k: string]: unknown;
}

export function saleOf(o: ShopOrder, c: ShopCustomer, sub: ShopSubscription | undefined): SaleJson {
  return {
    id: o.id,
    make_date: fmt(o.orderedAt),
    update_date: fmt(o.updatedAt),
    total_price: o.total,
    canceled: o.state === 'cancelled',
    status: { pending: '受付', shipped: '発送済み', cancelled: 'キャンセル' }[o.state],
    delivered_date: o.shippedAt ? fmt(o.shippedAt) : null,
    delivery_date: o.deliveryDate,
    delivery_company: o.carrier ? CARRIERS[o.carrier] : null,
    slip_number: o.trackingNumber,
    customer: {
      id: String(c.id),
      name: `${c.familyName} ${c.givenName}`,
      furigana: `${c.familyKana} ${c.givenKana}`,
      tel: c.phone?.raw ?? null,
      mail: c.email,
      birthday: c.birthday,
      line_user_id: c.lineUserId,
    },
    details: o.items.map((i) => ({
      product_code: i.productCode,
      teiki_product_code: i.courseCode,
      product_name: i.name,
      product_num: i.quantity,
      price: i.unitPrice,
    })),
    teiki: sub
      ? {
          id: String(sub.id),
          course_code: sub.courseCode,
          status: TEIKI_STATUS[sub.state],
          times: o.subscriptionSequence,
          next_date: sub.nextDeliveryAt ? fmt(sub.nextDeliveryAt) : null,
        }
      : null,
  };
}

export function createFakeRakuraku(opts: {
  accessToken: string;
  now?: () => Date;
  minIntervalMs?: number;
}) {
  const now = () => (opts.now?.() ?? new Date()).getTime();
  const minInterval = opts.minIntervalMs ?? 1000;
  const sales = new Map<number, SaleJson>();
  const faults = createFaults();
  const requests: Array<{
    path: string;
    query: Record<string, string>;
    at: number;
    status: number;
  }> = [];
  const violations: string[] = [];
  const codes = new Map<string, string>();
  let data: ShopData = { customers: [], orders: [], subscriptions: [] };
  let last: number | null = null;
  let running = 0;
  const app = new Hono();

  async function search(c: Context): Promise<Response> {
    const q = Object.fromEntries(new URL(c.req.url).searchParams);
    if (c.req.header('authorization') !== `Bearer ${opts.accessToken}`)
      return c.json(
        { error: 'invalid_token', error_description: 'アクセストークンが無効です' },
        401,
      );
    const limit = Number(q.limit ?? 100);
    const offset = Number(q.offset ?? 0);
    if (!(limit >= 1) || offset + limit > MAX_RESULTS) {
      violations.push(
        `sales: offset ${offset} + limit ${limit} asks past the ${MAX_RESULTS}th result`,
      );
      return c.json(
        { error: 'invalid_request', error_description: '1回の検索で出力できる件数は最大500件です' },
        400,
      );
    }
    const min = parse(q.update_date_min) ?? -Infinity;
    const max = parse(q.update_date_max) ?? Infinity;
    const hits = [...sales.values()]
      .filter((s) => parse(s.update_date)! >= min && parse(s.update_date)! <= max)
      .sort((a, b) => b.id - a.id); // newest ids first: the order is undocumented
    const page = hits.slice(offset, offset + limit).map((s) => structuredClone(s));
    if (faults.spoils(page)) {
      // Broken for good, as a record in a cart would be: an update datetime in no known format.
      sales.get(page[0]!.id)!.make_date = 'yesterday';
      page[0]!.make_date = 'yesterday';
    }
    return c.json({ sales: page, meta: { total: hits.length, limit, offset } });
  }

  app.get('/api/v1/sales.json', async (c) => {
    const at = now();
    const url = new URL(c.req.url);
    const log = (status: number) =>
      requests.push({
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        at,
        status,
      });
    if (running > 0) violations.push('sales: sent while another request was still running');
    if (last !== null && at - last < minInterval)
      violations.push(`sales: ${at - last} ms after the previous request (1 request per second)`);
    last = at;
    running++;
    try {
      const refusal = await faults.answer(c, log, {
        refused: (c) => c.json({ error: 'invalid_token' }, 401),
        tooMany: (c) => c.json({ error: 'too_many_requests' }, 429),
        retryAfter: null,
        unavailable: (c) => c.json({ error: 'unavailable' }, 503),
        async hold(wait) {
          running--;
          await wait();
          running++;
        },
      });
      if (refusal) return refusal;
      const res = await search(c);
      log(res.status);
      return res;
    } finally {
      running--;
    }
  });

  app.post('/api/oauth/token.php', async (c) => {
    const body = new URLSearchParams(await c.req.text());
    const issued = codes.get(body.get('code') ?? '');
    if (body.get('grant_type') !== 'authorization_code' || issued === undefined)
      return c.json({ error: 'invalid_grant' }, 400);
    if (issued !== `${body.get('client_id')}:${body.get('client_secret')}`)
      return c.json({ error: 'invalid_client' }, 401);
    codes.delete(body.get('code')!);
    return c.json({
      access_token: opts.accessToken,
      token_type: 'Bearer',
      expires_in: 30 * 86_400,
    });
  });

  app.all('*', (c) => c.json({ error: 'not_found' }, 404));

  function put(o: ShopOrder) {
    const customer = data.customers.find((x) => x.id === o.customerId)!;
    const s = saleOf(
      o,
      customer,
      data.subscriptions.find((x) => x.id === o.subscriptionId),
    );
    sales.set(s.id, s);
  }

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    violations,
    sales,
    seed(shop: ShopData) {
      data = { ...shop, orders: [...shop.orders] };
      for (const o of shop.orders) put(o);
    },
    inject: faults.inject,
    /** An authorization code the token endpoint will exchange for these client credentials. */
    issueCode(clientId: string, clientSecret: string): string {
      const code = `code-${codes.size + 1}`;
      codes.set(code, `${clientId}:${clientSecret}`);
      return code;
    },
    /** These customers order again, one second after the latest update (a customer "changes"). */
    touch(customerIds: number[]) {
      const latest = Math.max(...[...sales.values()].map((s) => parse(s.update_date)!));
      let id = Math.max(...sales.keys()) + 1;
      for (const customerId of customerIds) {
        const at = new Date(latest + 1000);
        const o = reorder(id++, String(id), customerId, at);
        data.orders.push(o);
        put(o);
      }
    },
  };
}
export type FakeRakuraku = ReturnType<typeof createFakeRakuraku>;
