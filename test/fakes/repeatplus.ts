// A fake リピスト API for tests and the demo mode. The API's real shape is not public
// (research/cart-apis.md §6.3): every wire detail here mirrors the assumptions at the top of
// carts/repeatplus.ts, so both sides assume the same thing and a correction lands in both.
// Bearer token auth, `updated_at_from` / `sort=updated_at` / `page` / `limit ≤ 100`, the
// `{ result, total_count, page, data }` envelope, JST datetimes without zone, faults on demand.
import { createPagedShopFake, type PagedShopFake, type PagedWire } from './paged-cart.ts';

const JST = 9 * 3_600_000;
/** `2026-11-01 10:00:00` (JST). */
export const repeatplusTime = (d: Date) =>
  new Date(d.getTime() + JST).toISOString().slice(0, 19).replace('T', ' ');
const jstDay = (d: Date) => new Date(d.getTime() + JST).toISOString().slice(0, 10);
function parseTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST : NaN;
}

const ORDER_STATUS = { pending: '新規受付', shipped: '発送済', cancelled: 'キャンセル' } as const;
/** 継続ステータス as リピスト shows it (SPEC F4.3). */
export const REPEATPLUS_STATUS = {
  active: '継続',
  paused: '一時停止',
  cancelled: '解約済',
} as const;
const CARRIERS = { yamato: 'ヤマト運輸', sagawa: '佐川急便', japanpost: '日本郵便' } as const;

export type FakeRepeatplus = PagedShopFake;

export function createFakeRepeatplus(opts: {
  accessToken: string;
  /** The client's clock: given, requests closer than 1 s apart are recorded as violations. */
  clock?: () => number;
}): FakeRepeatplus {
  const wire: PagedWire = {
    authorized: (h) => h.get('authorization') === `Bearer ${opts.accessToken}`,
    refused: (c) =>
      c.json({ result: 'NG', errors: [{ code: 'E401', message: '認証に失敗しました' }] }, 401),
    query(q) {
      const limit = Number(q.limit ?? 20);
      const page = Number(q.page ?? 1);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return `limit ${q.limit} (1–100)`;
      if (!Number.isInteger(page) || page < 1) return `page ${q.page}`;
      if (q.sort !== 'updated_at')
        return `sort ${q.sort ?? '(none)'}: the connector sorts by updated_at`;
      const from = q.updated_at_from === undefined ? -Infinity : parseTime(q.updated_at_from);
      if (Number.isNaN(from)) return `updated_at_from ${q.updated_at_from}`;
      return { from, offset: (page - 1) * limit, limit };
    },
    envelope: (data, total, offset, limit) => ({
      result: 'OK',
      total_count: total,
      page: offset / limit + 1,
      data,
    }),
    // A customer's e-mail, an order's or 定期's status: a number where the API sends text.
    spoil: (r) => {
      if ('customer_code' in r) r.email = 12345;
      else r.status = 12345;
    },
    minIntervalMs: 1000,
  };

  return createPagedShopFake(
    wire,
    {
      customers: {
        path: '/api/v1/customers',
        render: (c) => ({
          customer_id: c.id,
          customer_code: c.number,
          last_name: c.familyName,
          first_name: c.givenName,
          last_name_kana: c.familyKana,
          first_name_kana: c.givenKana,
          tel: c.phone?.raw ?? null,
          mobile_tel: null,
          email: c.email,
          birthday: c.birthday,
          created_at: repeatplusTime(c.createdAt),
          updated_at: repeatplusTime(c.updatedAt),
        }),
      },
      orders: {
        path: '/api/v1/orders',
        render: (o, customer) => ({
          order_id: o.id,
          order_code: o.number,
          customer_id: o.customerId,
          order_date: repeatplusTime(o.orderedAt),
          total: o.total,
          status: ORDER_STATUS[o.state],
          shipping_date: o.shippedAt ? jstDay(o.shippedAt) : null,
          delivery_date: o.deliveryDate,
          delivery_company: o.carrier ? CARRIERS[o.carrier] : null,
          tracking_number: o.trackingNumber,
          regular_order_id: o.subscriptionId,
          regular_count: o.subscriptionSequence,
          tel: customer?.phone?.raw ?? null,
          email: customer?.email ?? null,
          items: o.items.map((i) => ({
            product_code: i.productCode,
            product_name: i.name,
            quantity: i.quantity,
            price: i.unitPrice,
            regular_product_code: i.courseCode,
          })),
          updated_at: repeatplusTime(o.updatedAt),
        }),
      },
      subscriptions: {
        path: '/api/v1/regular_orders',
        render: (s, status) => ({
          regular_order_id: s.id,
          customer_id: s.customerId,
          status: status ?? REPEATPLUS_STATUS[s.state],
          regular_product_code: s.courseCode,
          next_shipping_date: s.nextDeliveryAt ? jstDay(s.nextDeliveryAt) : null,
          count: s.deliveries,
          updated_at: repeatplusTime(s.updatedAt),
        }),
      },
    },
    opts.clock,
  );
}
