// カラーミーショップ API's wire format: list answers with `meta`, customers and sales (受注) as
// its OpenAPI-generated SDK documents them (research/cart-apis.md §5), and the datetime format of
// its `*_date_min/max` filters. The assumptions behind each field: top of ../colorme.ts.
import { z } from 'zod';

export const BASE_URL = 'https://api.shop-pro.jp';
/** `limit` is at most 50 (sales; assumed the same for customers). */
export const LIMIT = 50;
/** The customer field of the shop's LINE linkage (assumed; no such field is documented). */
export const LINE_FIELD = 'line_user_id';

const JST = 9 * 3_600_000;
/** `2026-11-01 09:30:00`, JST: the filter format assumed for update_date_min/max. */
export const formatFilterTime = (unixSeconds: number) =>
  new Date(unixSeconds * 1000 + JST).toISOString().slice(0, 19).replace('T', ' ');

export const listResponse = z.object({
  customers: z.array(z.unknown()).optional(),
  sales: z.array(z.unknown()).optional(),
  meta: z.object({
    total: z.coerce.number().int().nonnegative(),
    limit: z.coerce.number().int().optional(),
    offset: z.coerce.number().int().optional(),
  }),
});

/** What sorting and the cursor need, read apart from the rest so a bad record keeps its place. */
export const position = z.object({
  id: z.number().int(),
  update_date: z.number().int(),
});

const text = z.string().nullish();
export const customer = z.object({
  id: z.number().int(),
  account_id: text,
  name: text,
  furigana: text,
  sex: text,
  birthday: text,
  postal: text,
  pref_name: text,
  address1: text,
  address2: text,
  mail: text,
  tel: text,
  tel_mobile: text,
  points: z.number().nullish(),
  member: z.boolean().nullish(),
  sales_count: z.number().nullish(),
  receive_mail_magazine: z.boolean().nullish(),
  make_date: z.number().int().nullish(),
  update_date: z.number().int(),
  [LINE_FIELD]: text,
});
export type Customer = z.infer<typeof customer>;

export const sale = z.object({
  id: z.number().int(),
  make_date: z.number().int(),
  update_date: z.number().int(),
  paid: z.boolean().nullish(),
  delivered: z.boolean().nullish(),
  canceled: z.boolean().nullish(),
  total_price: z.number(),
  delivered_mail_sent_date: z.number().int().nullish(),
  customer: z
    .object({ id: z.number().int().nullish(), mail: text, tel: text, tel_mobile: text })
    .nullish(),
  details: z.array(
    z.object({
      product_id: z.number().nullish(),
      product_model_number: text,
      product_name: z.string(),
      pristine_product_full_name: text,
      price: z.number(),
      price_with_tax: z.number().nullish(),
      product_num: z.number().int(),
    }),
  ),
  sale_deliveries: z
    .array(z.object({ slip_number: text, preferred_date: text, delivered: z.boolean().nullish() }))
    .nullish(),
});
export type Sale = z.infer<typeof sale>;
