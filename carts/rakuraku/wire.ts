// 楽楽リピート's wire format as assumed (see the top of ../rakuraku.ts): the order search answer
// (JSON) and its datetimes. Every field name here is unverified; they are kept in this one file
// so a shop with real credentials can correct them in one place.
import { z } from 'zod';

const JST = 9 * 3_600_000;
const TIME = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
export const time = z.string().trim().regex(TIME, 'not a datetime (YYYY-MM-DD hh:mm:ss)');

/** `2026-10-01 12:34:56` (JST; a date alone is its midnight) → epoch ms. */
export function parseTime(s: string): number {
  const m = TIME.exec(s.trim())!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - JST;
}

/** epoch ms → `2026-10-01 12:34:56` (JST), the search's own form. */
export const formatTime = (ms: number) =>
  new Date(ms + JST).toISOString().slice(0, 19).replace('T', ' ');

const str = z.string().nullish();
const id = z.union([z.string().min(1), z.number().int()]).transform(String);

const customer = z.object({
  /** カート顧客ID */
  id,
  name: str,
  furigana: str,
  tel: str,
  mail: str,
  birthday: str,
  /** Set when the shop runs 楽楽リピート's LINE login and the customer used it. */
  line_user_id: str,
});

const detail = z.object({
  product_code: z.string(),
  /** 定期商品コード: set on the lines of a subscription. */
  teiki_product_code: str,
  product_name: z.string(),
  product_num: z.number().int(),
  price: z.number(),
});

const teiki = z.object({
  /** 定期ID */
  id,
  course_code: str,
  /** 継続ステータス: ご注文継続 / 休止 / ご解約 (the shop sees these words). */
  status: z.string().min(1),
  /** 購入回数: which delivery of the subscription this order is. */
  times: z.number().int().nullish(),
  next_date: time.nullish(),
});

export const sale = z.object({
  id,
  make_date: time,
  update_date: time,
  total_price: z.number(),
  canceled: z.boolean(),
  status: str,
  delivered_date: time.nullish(),
  delivery_date: str,
  delivery_company: str,
  slip_number: str,
  customer,
  details: z.array(detail),
  teiki: teiki.nullish(),
});
export type Sale = z.infer<typeof sale>;

/** The envelope only: each sale is read on its own, so one bad sale does not lose the rest. */
export const searchResponse = z.object({
  sales: z.array(z.unknown()),
  meta: z.object({ total: z.number().int() }),
});

export const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
});
