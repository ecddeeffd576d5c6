// リピスト (プレックス) connector. Public facts are few (research/cart-apis.md §6.3, and the ECAI
// seed): a shop applies to リピスト for API access and receives an access token; the caller's IPs
// are allow-listed in the admin (基本情報管理 > SHOPマスタ > 外部連携 > データアシスタントAPI);
// integrators configure the cart domain (`http://{domain}/admin/`) and link LINE friends by an
// exact phone match; the data they get is 定期商品コード, 商品コード, 購入日時, 購入回数, 購入金額,
// 継続ステータス and カート顧客ID; the shipped date is the order's 発送日 (受注管理 > 編集); its
// 継続ステータス values are 継続 / 一時停止 / 解約済 (SPEC F4.3); birthdays sync (F4.4).
// Not verified (assumptions, all of the wire; each lives in ./repeatplus/wire.ts and is mirrored by
// test/fakes/repeatplus.ts):
// - Base `https://{shopDomain}/api/v1`; auth `Authorization: Bearer {accessToken}`; 401/403 mean
//   the token is wrong or revoked (or the caller's IP is not allow-listed: the message says so);
//   404 (or DNS failure) means a wrong domain.
// - Lists `GET customers`, `orders`, `regular_orders` take `updated_at_from` (JST
//   `YYYY-MM-DD hh:mm:ss`, inclusive), `sort=updated_at` (ascending, ties by id ascending),
//   `page` (1-based) and `limit` (≤ 100); they answer `{ result: "OK", total_count, page, data }`.
//   A short page ends a listing.
// - No documented rate limit: requests of one sync are spaced 1 s apart (two syncs of one shop
//   running at once are not paced against each other); 429 may carry Retry-After; 429, 5xx
//   and timeouts are retried with backoff.
// - Datetimes are JST without zone. Customers: `customer_id` (integer), `customer_code` (会員番号),
//   `last_name`/`first_name` (+ `_kana`), `tel`, `mobile_tel`, `email`, `birthday`, `created_at`,
//   `updated_at`. No LINE id, no verified e-mail flag.
// - Orders: `order_id`, `order_code`, `customer_id`, `order_date`, `total` (税込), `status`
//   (`キャンセル` = cancelled, others kept raw), `shipping_date` (発送日, a date: shipped at JST
//   midnight), `delivery_date` (お届け希望日), `delivery_company`, `tracking_number`,
//   `regular_order_id` + `regular_count` (which delivery of the 定期), `tel`, `email`, `items[]`
//   (`product_code`, `product_name`, `quantity`, `price`, `regular_product_code`); an edit of its
//   発送日 moves `updated_at`, so late shipped dates come with the next incremental sync.
// - 定期 (`regular_orders`): `regular_order_id`, `customer_id`, `status` (継続 / 一時停止 / 解約済,
//   kept raw; crm/subscription-status.ts maps them and anything else to unknown),
//   `regular_product_code`, `next_shipping_date`, `count` (購入回数), `updated_at`.
// - The admin's customer page is `https://{shopDomain}/admin/customer/edit/{customer_id}`.
import { z } from 'zod';
import type { CartConnector } from './connector.ts';
import { restConnector, type RestCart, type UpdatedList } from './rest-sync.ts';
import { toCustomer, toOrder, toSubscription } from './repeatplus/map.ts';
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
} from './repeatplus/wire.ts';

const credentials = z.object({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
      'リピストのカートドメイン (例: shop.example.com) を入力してください',
    ),
  accessToken: z.string().trim().min(1, 'リピストから発行されたアクセストークンを入力してください'),
});
export type RepeatplusCredentials = z.infer<typeof credentials>;

export interface RepeatplusOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  /** Least time between two requests of one sync; 1 s since no limit is documented. */
  minIntervalMs?: number;
}

const cart: RestCart<RepeatplusCredentials> = {
  label: 'リピスト',
  baseUrl: (c) => apiBase(c.shopDomain),
  headers: (c) => authHeaders(c.accessToken),
  secretField: 'accessToken',
  domainField: 'shopDomain',
  domain: (c) => c.shopDomain,
  refusedHint:
    'アクセストークンと、リピスト管理画面の外部連携 (データアシスタントAPI) に接続元IPが登録されているかを確認してください',
};

function list<T>(
  path: string,
  key: z.ZodType<Record<string, unknown>>,
  idField: string,
  read: (raw: unknown) => T,
): UpdatedList<T> {
  return {
    path,
    pageSize: LIMIT,
    params: listParams,
    records: (doc) => {
      const parsed = envelope.safeParse(doc);
      return parsed.success ? parsed.data.data : `not a list (${parsed.error.message})`;
    },
    key: (record) => {
      const k = key.safeParse(record);
      return k.success ? { id: String(k.data[idField]), updated: String(k.data.updated_at) } : null;
    },
    time: parseTime,
    read,
  };
}
const LISTS = {
  customers: list(PATHS.customers, keys.customers, 'customer_id', toCustomer),
  orders: list(PATHS.orders, keys.orders, 'order_id', toOrder),
  subscriptions: list(PATHS.subscriptions, keys.subscriptions, 'regular_order_id', toSubscription),
};

export function createRepeatplusConnector(
  options: RepeatplusOptions = {},
): CartConnector<RepeatplusCredentials> {
  return restConnector({
    kind: 'repeatplus',
    credentials,
    cart,
    lists: LISTS,
    adminCustomerUrl,
    options,
  });
}

export const repeatplus = createRepeatplusConnector();
