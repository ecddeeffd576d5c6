// サブスクストア (テモナ) connector. Public facts are few (research/cart-apis.md §6.4, and the
// ECAI seed): a shop sends テモナ the "API連携オプションお申込書" (subsc-store@temona.co.jp) and
// receives an アプリケーションID and a シークレットキー in 2–3 business days; integrators also
// need the cart domain and link LINE friends by an exact phone match; the data they get is the
// same as 楽楽リピート's (定期商品コード, 商品コード, 購入日時, 購入回数, 購入金額, 継続ステータス,
// カート顧客ID); its 継続ステータス values are 継続 / 停止 / 終了 (SPEC F4.3; integrators also show
// 定期継続中 / 休止 / 解約済み); birthdays sync (F4.4). Not the Shopify subscription app whose
// Notion docs also say "subscription store" (research §6.4).
// Not verified (assumptions, all of the wire; each lives in ./subsc-store/wire.ts and is mirrored
// by test/fakes/subsc-store.ts):
// - Base `https://{shopDomain}/api/v1`; auth by two headers on every request, `X-Application-Id`
//   and `X-Secret-Key` (no token exchange is documented); 401/403 mean wrong or revoked
//   credentials, 404 (or DNS failure) a wrong domain.
// - Lists `GET customers`, `orders`, `subscriptions` take `updated_since` (ISO 8601 with offset,
//   inclusive), `order=updated_at` (ascending, ties by id ascending), `offset` and `limit`
//   (≤ 100); they answer `{ total, offset, limit, items }`. A short page ends a listing.
// - No documented rate limit: requests of one sync are spaced 1 s apart (two syncs of one shop
//   running at once are not paced against each other); 429 may carry Retry-After; 429, 5xx
//   and timeouts are retried with backoff.
// - Datetimes are ISO 8601 with an offset (+09:00). Customers: `id` (integer), `member_no`,
//   `sei`/`mei` (+ `_kana`), `tel`, `mobile`, `email`, `birth_date`, `created_at`, `updated_at`.
//   No LINE id, no verified e-mail flag.
// - Orders: `id`, `order_no`, `customer_id`, `ordered_at`, `total_amount` (税込), `status`
//   (`キャンセル` = cancelled, others kept raw), `shipped_at` (出荷日時), `delivery_date`
//   (お届け希望日), `delivery_company`, `slip_no`, `subscription_id` + `times` (which delivery),
//   `details[]` (`item_code`, `item_name`, `quantity`, `unit_price`); a shipment moves
//   `updated_at`, so late shipped dates come with the next incremental sync.
// - Subscriptions: `id`, `customer_id`, `status` (継続 / 停止 / 終了, kept raw;
//   crm/subscription-status.ts maps them, the integrators' labels, and anything else to unknown),
//   `course_code`, `next_delivery_date`, `times` (購入回数), `updated_at`.
// - The admin's customer page is `https://{shopDomain}/admin/customers/{id}`.
import { z } from 'zod';
import type { CartConnector } from './connector.ts';
import { restConnector, type RestCart, type UpdatedList } from './rest-sync.ts';
import { toCustomer, toOrder, toSubscription } from './subsc-store/map.ts';
import {
  adminCustomerUrl,
  apiBase,
  authHeaders,
  envelope,
  keys,
  LIMIT,
  listParams,
  parseTime,
  PATHS,
} from './subsc-store/wire.ts';

const credentials = z.object({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
      'サブスクストアのカートドメイン (例: shop.example.com) を入力してください',
    ),
  applicationId: z
    .string()
    .trim()
    .min(1, 'テモナから発行されたアプリケーションIDを入力してください'),
  secretKey: z.string().trim().min(1, 'テモナから発行されたシークレットキーを入力してください'),
});
export type SubscStoreCredentials = z.infer<typeof credentials>;

export interface SubscStoreOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  /** Least time between two requests of one sync; 1 s since no limit is documented. */
  minIntervalMs?: number;
}

const cart: RestCart<SubscStoreCredentials> = {
  label: 'サブスクストア',
  baseUrl: (c) => apiBase(c.shopDomain),
  headers: (c) => authHeaders(c.applicationId, c.secretKey),
  secretField: 'secretKey',
  domainField: 'shopDomain',
  domain: (c) => c.shopDomain,
  refusedHint: 'アプリケーションIDとシークレットキーを確認してください',
};

function list<T>(path: string, read: (raw: unknown) => T): UpdatedList<T> {
  return {
    path,
    pageSize: LIMIT,
    params: listParams,
    records: (doc) => {
      const parsed = envelope.safeParse(doc);
      return parsed.success ? parsed.data.items : `not a list (${parsed.error.message})`;
    },
    key: (record) => {
      const k = keys.safeParse(record);
      return k.success ? { id: k.data.id, updated: k.data.updated_at } : null;
    },
    time: parseTime,
    read,
  };
}
const LISTS = {
  customers: list(PATHS.customers, toCustomer),
  orders: list(PATHS.orders, toOrder),
  subscriptions: list(PATHS.subscriptions, toSubscription),
};

export function createSubscStoreConnector(
  options: SubscStoreOptions = {},
): CartConnector<SubscStoreCredentials> {
  return restConnector({
    kind: 'subsc_store',
    credentials,
    cart,
    lists: LISTS,
    adminCustomerUrl,
    options,
  });
}

export const subscStore = createSubscStoreConnector();
