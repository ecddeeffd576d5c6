// A fake サブスクストア API for tests and the demo mode. The API's real shape is not public
// (research/cart-apis.md §6.4): every wire detail here mirrors the assumptions at the top of
// carts/subsc-store.ts, so both sides assume the same thing and a correction lands in both.
// `X-Application-Id` + `X-Secret-Key` headers, `updated_since` / `order=updated_at` / `offset` /
// `limit ≤ 100`, the `{ total, offset, limit, items }` envelope, ISO 8601 datetimes with +09:00,
// faults on demand.
import { createPagedShopFake, type PagedShopFake, type PagedWire } from './paged-cart.ts';

const JST = 9 * 3_600_000;
/** `2026-11-01T10:00:00+09:00` */
export const subscStoreTime = (d: Date) =>
  `${new Date(d.getTime() + JST).toISOString().slice(0, 19)}+09:00`;
const jstDay = (d: Date) => new Date(d.getTime() + JST).toISOString().slice(0, 10);

const ORDER_STATUS = { pending: '受付', shipped: '出荷済', cancelled: 'キャンセル' } as const;
/** 継続ステータス as サブスクストア shows it (SPEC F4.3). */
export const SUBSC_STORE_STATUS = { active: '継続', paused: '停止', cancelled: '終了' } as const;
const CARRIERS = { yamato: 'ヤマト運輸', sagawa: '佐川急便', japanpost: '日本郵便' } as const;

export type FakeSubscStore = PagedShopFake;

export function createFakeSubscStore(opts: {
  applicationId: string;
  secretKey: string;
  clock?: () => number;
}): FakeSubscStore {
  const wire: PagedWire = {
    authorized: (h) =>
      h.get('x-application-id') === opts.applicationId && h.get('x-secret-key') === opts.secretKey,
    refused: (c) => c.json({ error: { code: 'unauthorized', message: '認証に失敗しました' } }, 401),
    query(q) {
      const limit = Number(q.limit ?? 20);
      const offset = Number(q.offset ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return `limit ${q.limit} (1–100)`;
      if (!Number.isInteger(offset) || offset < 0) return `offset ${q.offset}`;
      if (q.order !== 'updated_at')
        return `order ${q.order ?? '(none)'}: the connector sorts by updated_at`;
      const from = q.updated_since === undefined ? -Infinity : Date.parse(q.updated_since);
      if (Number.isNaN(from)) return `updated_since ${q.updated_since}`;
      return { from, offset, limit };
    },
    envelope: (items, total, offset, limit) => ({ total, offset, limit, items }),
    spoil: (r) => {
      if ('member_no' in r) r.email = 12345;
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
          id: c.id,
          member_no: c.number,
          sei: c.familyName,
          mei: c.givenName,
          sei_kana: c.familyKana,
          mei_kana: c.givenKana,
          tel: c.phone?.raw ?? null,
          mobile: null,
          email: c.email,
          birth_date: c.birthday,
          created_at: subscStoreTime(c.createdAt),
          updated_at: subscStoreTime(c.updatedAt),
        }),
      },
      orders: {
        path: '/api/v1/orders',
        render: (o) => ({
          id: o.id,
          order_no: o.number,
          customer_id: o.customerId,
          ordered_at: subscStoreTime(o.orderedAt),
          total_amount: o.total,
          status: ORDER_STATUS[o.state],
          shipped_at: o.shippedAt ? subscStoreTime(o.shippedAt) : null,
          delivery_date: o.deliveryDate,
          delivery_company: o.carrier ? CARRIERS[o.carrier] : null,
          slip_no: o.trackingNumber,
          subscription_id: o.subscriptionId,
          times: o.subscriptionSequence,
          details: o.items.map((i) => ({
            item_code: i.productCode,
            item_name: i.name,
            quantity: i.quantity,
            unit_price: i.unitPrice,
          })),
          updated_at: subscStoreTime(o.updatedAt),
        }),
      },
      subscriptions: {
        path: '/api/v1/subscriptions',
        render: (s, status) => ({
          id: s.id,
          customer_id: s.customerId,
          status: status ?? SUBSC_STORE_STATUS[s.state],
          course_code: s.courseCode,
          next_delivery_date: s.nextDeliveryAt ? jstDay(s.nextDeliveryAt) : null,
          times: s.deliveries,
          updated_at: subscStoreTime(s.updatedAt),
        }),
      },
    },
    opts.clock,
  );
}
