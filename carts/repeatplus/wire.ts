// リピスト's wire format, as assumed (see the list at the top of ../repeatplus.ts): the API base,
// auth header, list parameters and envelope, datetimes, and the zod schemas of its records.
// Every name here is unverified; a shop with real credentials corrects them in this one file.
import { z } from 'zod';

/** API base under the cart domain (integrators configure `http://{domain}/admin/`). */
export const apiBase = (shopDomain: string) => `https://${shopDomain}/api/v1`;
export const authHeaders = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` });
export const adminCustomerUrl = (shopDomain: string, id: string) =>
  `https://${shopDomain}/admin/customer/edit/${encodeURIComponent(id)}`;

export const PATHS = {
  customers: 'customers',
  orders: 'orders',
  /** 定期受注 (regular orders): the subscriptions. */
  subscriptions: 'regular_orders',
} as const;

/** Records per page: `limit` is at most 100. */
export const LIMIT = 100;
export const JST = 9 * 3_600_000;

/** The query for one page of records updated at or after `from` (inclusive), oldest first. */
export function listParams(from: string | null, page: number): URLSearchParams {
  const params = new URLSearchParams({
    limit: String(LIMIT),
    page: String(page),
    // Ascending by updated_at, ties by id ascending.
    sort: 'updated_at',
  });
  if (from !== null) params.set('updated_at_from', from);
  return params;
}

/** `{ result: "OK", total_count, page, data: [...] }`; records are read one at a time. */
export const envelope = z.object({
  result: z.literal('OK'),
  total_count: z.number().int().nullish(),
  page: z.number().int().nullish(),
  data: z.array(z.unknown()),
});

const TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** `2026-11-01 10:00:00`, JST without zone. */
export const time = z.string().regex(TIME, 'not a datetime (YYYY-MM-DD hh:mm:ss)');
export function parseTime(s: string): number {
  const m = TIME.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST : NaN;
}
/** A calendar date (YYYY-MM-DD or YYYY/MM/DD). */
export const date = z.string().regex(/^\d{4}[-/]\d{1,2}[-/]\d{1,2}$/, 'not a date');

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const str = z.string().nullish();
const yen = z.coerce.number();

/** Only what the paging needs per list, so a record broken elsewhere is still skipped by its id. */
export const keys = {
  customers: z.object({ customer_id: id, updated_at: time }),
  orders: z.object({ order_id: id, updated_at: time }),
  subscriptions: z.object({ regular_order_id: id, updated_at: time }),
};

export const customer = z.object({
  customer_id: id,
  customer_code: str,
  last_name: str,
  first_name: str,
  last_name_kana: str,
  first_name_kana: str,
  tel: str,
  mobile_tel: str,
  email: str,
  birthday: date.nullish(),
  created_at: time.nullish(),
  updated_at: time,
});
export type Customer = z.infer<typeof customer>;

const orderItem = z.object({
  product_code: z.string(),
  product_name: z.string(),
  quantity: z.number().int(),
  price: yen,
  /** 定期商品コード: set on lines bought as a subscription. */
  regular_product_code: str,
});

export const order = z.object({
  order_id: id,
  order_code: str,
  customer_id: id.nullish(),
  order_date: time,
  total: yen,
  status: str,
  /** 発送日 (受注管理 > 編集), a date. */
  shipping_date: date.nullish(),
  delivery_date: date.nullish(),
  delivery_company: str,
  tracking_number: str,
  regular_order_id: id.nullish(),
  regular_count: z.number().int().nullish(),
  tel: str,
  email: str,
  items: z.array(orderItem),
  updated_at: time,
});
export type Order = z.infer<typeof order>;

export const regularOrder = z.object({
  regular_order_id: id,
  customer_id: id.nullish(),
  /** 継続 / 一時停止 / 解約済 (SPEC F4.3), kept raw. */
  status: z.string(),
  regular_product_code: str,
  next_shipping_date: date.nullish(),
  count: z.number().int().nullish(),
  updated_at: time,
});
export type RegularOrder = z.infer<typeof regularOrder>;

/** The order `status` that means cancelled. */
export const CANCELLED = 'キャンセル';
