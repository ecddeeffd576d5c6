// 楽楽リピート connector. Facts are from research/cart-apis.md §6.2 and 楽楽リピート's own FAQ pages
// it cites (raku2repeat.com/faq/basis/02-0695, /faq/order/02-0077), mirrored by
// test/fakes/rakuraku.ts.
// [official]:
// - OAuth2 authorization code: the shop registers an app under 基本設定 > 外部アプリ連携 (client
//   ID, シークレットID, optional IP restriction) and authorizes at
//   https://{domain}/api/oauth/authorize.php?client_id&response_type=code&redirect_uri&state
//   (`scope` reserved).
// - The API offers 受注API (検索) only. At most one request per second, serial (wait for each
//   answer, or sleep a second); at most 500 results per search.
// [integrators]: the API base is {楽楽リピートのURL}/api; authorization is redone about monthly;
// obtainable: 定期商品コード, 商品コード, 購入日時, 購入回数, 購入金額, 継続ステータス, カート顧客ID;
// customers are matched by exact phone number.
// Not verified (assumptions; every wire name lives in ./rakuraku/wire.ts):
// - Token endpoint POST {domain}/api/oauth/token.php (grant_type=authorization_code, form body),
//   answering { access_token }; no refresh token (hence the monthly re-authorization). A 401 is
//   a token expired or revoked: staff must authorize again (the access token is named).
// - Search: GET {domain}/api/v1/sales.json with update_date_min / update_date_max ('YYYY-MM-DD
//   hh:mm:ss', JST, both inclusive), limit (≤ 500) and offset, Bearer token; it answers
//   { sales: [...], meta: { total } }. Asking past the 500th result (offset + limit > 500) is
//   refused, so a window with total > 500 is split in two until each fits one search (see
//   ./windows.ts), and answers are sorted here by (update datetime, id).
// - Sale fields: id, make_date, update_date, total_price (tax included), canceled, status,
//   delivered_date (発送日), delivery_date (お届け希望日), delivery_company, slip_number,
//   customer { id (カート顧客ID), name, furigana, tel, mail, birthday, line_user_id },
//   details[] { product_code, teiki_product_code, product_name, product_num, price },
//   teiki { id (定期ID), course_code, status (ご注文継続 / 休止 / ご解約), times (購入回数), next_date }.
// - Customers and subscriptions come from orders (there is no customer API): a customer exists
//   once they ordered, and comes again on later pages as of their later orders. Subscriptions are
//   gathered over a whole sync and emitted at its end, each once as of its latest order; their
//   pages carry the previous cursor except the last, so a killed sync rereads rather than loses.
// - line_user_id comes from the shop's own LINE login channel: it equals a friend's id only when
//   that channel is under the bot's LINE provider.
// - History starts 2010-01-01; the admin's customer page is /admin/customer/edit.php?id=….
// The HTTP client is ./rakuraku/client.ts, the schemas ./rakuraku/wire.ts, the mapping
// ./rakuraku/map.ts.
import { z } from 'zod';
import type { CartCustomer, CartOrder, CartSubscription } from '../crm/cart.ts';
import type { CartConnector, ConnectorContext, Page } from './connector.ts';
import { createPacer } from './paced.ts';
import { baseOf, session, type RakurakuCredentials } from './rakuraku/client.ts';
import { toCustomer, toOrder, toSubscription } from './rakuraku/map.ts';
import { parseTime, type Sale } from './rakuraku/wire.ts';
import {
  after,
  decodePosition,
  encodePosition,
  scanWindows,
  SECOND,
  type Position,
} from './windows.ts';

export type { RakurakuCredentials };

const required = (label: string) => z.string().trim().min(1, `${label}を入力してください`);
const credentials: z.ZodType<RakurakuCredentials> = z.object({
  domain: required('楽楽リピートのドメイン').transform((d) =>
    d.replace(/^https?:\/\//, '').replace(/\/.*$/, ''),
  ),
  clientId: required('クライアントID'),
  clientSecret: required('シークレットID'),
  accessToken: required('アクセストークン'),
});
type Ctx = ConnectorContext<RakurakuCredentials>;

export interface RakurakuOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  /** Results per search (楽楽リピート allows at most 500). */
  pageSize?: number;
  /** Least time between two requests to one shop; a margin over the one second asked for. */
  minIntervalMs?: number;
}

export const HISTORY_START = Date.parse('2010-01-01T00:00:00+09:00');
const SETTLE_MS = 60_000;
const SUBSCRIPTIONS_PER_PAGE = 500;
const keys = { at: (s: Sale) => parseTime(s.update_date), id: (s: Sale) => s.id };
const crowded = (t: number) =>
  `楽楽リピート: more than 500 orders updated in the second ${new Date(t).toISOString()}; some were not read`;

export function createRakurakuConnector(
  options: RakurakuOptions = {},
): CartConnector<RakurakuCredentials> {
  const clientOptions = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 6,
    pageSize: Math.min(options.pageSize ?? 500, 500),
  };
  const pacer = createPacer(options.minIntervalMs ?? 1100);

  async function* leaves(ctx: Ctx, from: Position | null) {
    const until = Math.floor((ctx.now().getTime() - SETTLE_MS) / SECOND) * SECOND;
    const api = session(ctx, pacer, clientOptions);
    let at = from;
    for await (const leaf of scanWindows({
      ...keys,
      from,
      floor: HISTORY_START,
      until,
      search: api.sales,
      crowded,
    })) {
      at = after(leaf, at, keys);
      yield { leaf, cursor: encodePosition(at) };
    }
  }

  async function* orders(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartOrder>> {
    for await (const { leaf, cursor: next } of leaves(ctx, decodePosition(cursor, '楽楽リピート')))
      yield { items: leaf.records.map(toOrder), skipped: leaf.skipped, cursor: next };
  }

  async function* customers(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartCustomer>> {
    for await (const { leaf, cursor: next } of leaves(
      ctx,
      decodePosition(cursor, '楽楽リピート'),
    )) {
      // Oldest first, so each customer ends up as of their latest order on the page.
      const byId = new Map(leaf.records.map((s) => [s.customer.id, toCustomer(s)]));
      yield { items: [...byId.values()], skipped: leaf.skipped, cursor: next };
    }
  }

  async function* subscriptions(
    ctx: Ctx,
    cursor: string | null,
  ): AsyncGenerator<Page<CartSubscription>> {
    const latest = new Map<string, CartSubscription>();
    let next = cursor;
    for await (const { leaf, cursor: c } of leaves(ctx, decodePosition(cursor, '楽楽リピート'))) {
      for (const s of leaf.records) {
        const sub = toSubscription(s);
        if (sub) latest.set(sub.externalId, sub);
      }
      next = c;
    }
    const all = [...latest.values()];
    if (all.length === 0 && next !== cursor) yield { items: [], skipped: [], cursor: next };
    for (let i = 0; i < all.length; i += SUBSCRIPTIONS_PER_PAGE) {
      const last = i + SUBSCRIPTIONS_PER_PAGE >= all.length;
      yield {
        items: all.slice(i, i + SUBSCRIPTIONS_PER_PAGE),
        skipped: [],
        cursor: last ? next : cursor,
      };
    }
  }

  return {
    kind: 'rakuraku',
    credentials,
    async verify(ctx) {
      const now = Math.floor(ctx.now().getTime() / SECOND) * SECOND;
      await session(ctx, pacer, clientOptions).sales(now - 60 * SECOND, now);
    },
    customers,
    orders,
    subscriptions,
    storeKey: (c) => c.domain.trim().toLowerCase(),
    customerAdminUrl: (c, customer) =>
      `${baseOf(c.domain)}/admin/customer/edit.php?id=${encodeURIComponent(customer.externalId)}`,
  };
}

export const rakuraku = createRakurakuConnector();
