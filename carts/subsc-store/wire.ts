// サブスクストア's wire format, as assumed (see the list at the top of ../subsc-store.ts): the API
// base, auth headers, list parameters and envelope, datetimes, and the zod schemas of its records.
// Every name here is unverified; a shop with real credentials corrects them in this one file.
import { z } from 'zod';

export const apiBase = (shopDomain: string) => `https://${shopDomain}/api/v1`;
/** The アプリケーションID and シークレットキー テモナ issues, sent as two headers on every request. */
export const authHeaders = (applicationId: string, secretKey: string) => ({
  'X-Application-Id': applicationId,
  'X-Secret-Key': secretKey,
});
export const adminCustomerUrl = (shopDomain: string, id: string) =>
  `https://${shopDomain}/admin/customers/${encodeURIComponent(id)}`;

export const PATHS = {
  customers: 'customers',
  orders: 'orders',
  /** 定期契約: the subscriptions. */
  subscriptions: 'subscriptions',
} as const;

/** Records per request: `limit` is at most 100. */
export const LIMIT = 100;

/** The query for page `page` (1-based, sent as an offset) of records updated at or after `from`. */
export function listParams(from: string | null, page: number): URLSearchParams {
  const params = new URLSearchParams({
    limit: String(LIMIT),
    offset: String((page - 1) * LIMIT),
    // Ascending by updated_at, ties by id ascending.
    order: 'updated_at',
  });
  if (from !== null) params.set('updated_since', from);
  return params;
}

/** `{ total, offset, limit, items: [...] }`; records are read one at a time. */
export const envelope = z.object({
  total: z.number().int().nullish(),
  offset: z.number().int().nullish(),
  limit: z.number().int().nullish(),
  items: z.array(z.unknown()),
});

/** ISO 8601 with an offset: `2026-11-01T10:00:00+09:00`. */
export const time = z.iso.datetime({ offset: true });
export const parseTime = (s: string) => Date.parse(s);
/** A calendar date (YYYY-MM-DD). */
export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date (YYYY-MM-DD)');

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const str = z.string().nullish();
const yen = z.coerce.number();

/** Only what the paging needs per list, so a record broken elsewhere is still skipped by its id. */
export const keys = z.object({ id, updated_at: time });

export const customer = z.object({
  id,
  member_no: str,
  sei: str,
  mei: str,
  sei_kana: str,
  mei_kana: str,
  tel: str,
  mobile: str,
  email: str,
  birth_date: date.nullish(),
  created_at: time.nullish(),
  updated_at: time,
});

const detail = z.object({
  item_code: z.string(),
  item_name: z.string(),
  quantity: z.number().int(),
  unit_price: yen,
});

export const order = z.object({
  id,
  order_no: str,
  customer_id: id.nullish(),
  ordered_at: time,
  total_amount: yen,
  status: str,
  /** 出荷日時 */
  shipped_at: time.nullish(),
  delivery_date: date.nullish(),
  delivery_company: str,
  slip_no: str,
  subscription_id: id.nullish(),
  /** Which delivery of the subscription (1 = first). */
  times: z.number().int().nullish(),
  details: z.array(detail),
  updated_at: time,
});

export const subscription = z.object({
  id,
  customer_id: id.nullish(),
  /** 継続 / 停止 / 終了 (SPEC F4.3), kept raw. */
  status: z.string(),
  course_code: str,
  next_delivery_date: date.nullish(),
  times: z.number().int().nullish(),
  updated_at: time,
});

/** The order `status` that means cancelled. */
export const CANCELLED = 'キャンセル';
