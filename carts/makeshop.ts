// makeshop connector: the legacy order API (注文API) and member API (会員API). Facts are from
// research/cart-apis.md §6.1 and makeshop's own API pages it cites (apidoc.makeshop.jp /about,
// /orderinfo, ?p=24), plus a public integrator's client; each is mirrored by test/fakes/makeshop.ts.
// [official]:
// - One request per second across ALL makeshop APIs of a shop (an order call and a member call in
//   the same second count as two; exceeding it gets the shop's access blocked); requests must be
//   serial. Access URLs (member/product APIs) are issued per use and valid for 5 minutes.
// - 注文API: GET https://www.makeshop.jp/api/orderinfo/index.html?cmd=get&shopid=…&token=… with the
//   認証コード issued under 設定 > API > 注文; XML out. Modes: difference since the last fetch, by
//   order number, by period.
// - 会員API needs 会員データ連携 unlocked and its own 認証コード; passwords are never returned.
// - makeshop announced the legacy APIs' retirement for end 2025 – early 2026 in favour of its
//   GraphQL app API (developers.makeshop.jp): a shop whose legacy API is closed cannot use this
//   connector until it moves to that API (not built yet).
// [integrator's client, not official]:
// - Period mode: `start`/`end` as yyyymmddhhmmss (JST) on the order datetime, `canceled=1` to
//   include cancelled orders; at most 100 orders are output per call ("narrow the conditions").
// - Order XML: <orders><order> with ordernum, date, status (0 キャンセル, 1 通常, 99 仮注文),
//   buyer{name,kana,tel,email,…}, deliveries{delivery{deliverydate,…}}, orderdetail{sumprice
//   (合計請求金額), commodities{commodity{brandcode (system code), orgcode (独自商品コード), name,
//   price, amount}}}; delivery status codes 1 配送指示済, 2 配送準備中, 3 配送完了, 9 返送.
// Not verified (assumptions):
// - "Difference since last fetch" is not used: makeshop keeps that position itself, so a sync
//   killed after a fetch would lose the orders it had been handed. Period mode is resumable from
//   our own cursor (the last order passed), so only it is used.
// - Which orders a full (100) answer leaves out, and their order, are unknown: a window that
//   comes back full is split in two until each fits, and answers are sorted here by (datetime,
//   order number) — see ../carts/windows.ts. History starts at 2004-01-01 (makeshop's launch).
// - Orders change after they are placed (shipping), but periods are by order datetime only: the
//   orders of the last 30 days (RESCAN_MS) are read again by an incremental sync at most every
//   3 hours (RESCAN_EVERY_MS) to pick up shipments; older changes are not seen.
// - buyer.memberid is the member's id (empty for guest purchases, which belong to no customer);
//   delivery.shipped_date (YYYY/MM/DD hh:mm:ss), carrier (its name) and deliverynum exist.
// - 会員API: POST https://www.makeshop.jp/api/member/ with shop_id, token (会員API's 認証コード) and
//   process=get answers <response><url>ACCESS URL</url></response>; POSTing start_date/end_date
//   (update datetime, yyyymmddhhmmss JST) and limit (≤ 100) to that URL answers <members><member>
//   with member_id, name1/name2, kana1/kana2, email, tel, birthday (YYYY/MM/DD), point, regdate,
//   update_date and line_id. An access URL is re-issued after 4 minutes by our clock, and once
//   more if makeshop refuses it as expired (403/410).
// - line_id is the LINE user id makeshop's LINE login (ソーシャルログイン) stored for the member:
//   it equals a friend's id only when that login channel is under the bot's LINE provider.
// - Errors: 401/403 = 認証コード refused (named per API), 429 = blocked for rate, 5xx retried;
//   bodies <error><code/><message/></error>.
// - The admin's member page: console.makeshop.jp member search with the id.
// The HTTP client is ./makeshop/client.ts, the XML schemas ./makeshop/wire.ts, the mapping
// ./makeshop/map.ts.
import { z } from 'zod';
import type { CartCustomer, CartOrder } from '../crm/cart.ts';
import { CartError, type CartConnector, type ConnectorContext, type Page } from './connector.ts';
import { session, type MakeshopCredentials } from './makeshop/client.ts';
import { toCustomer, toOrder } from './makeshop/map.ts';
import { parseTime, type MakeshopMember, type MakeshopOrder } from './makeshop/wire.ts';
import { createPacer } from './paced.ts';
import {
  after,
  decodePosition,
  encodePosition,
  positionSchema,
  scanWindows,
  SECOND,
  type Position,
} from './windows.ts';

export type { MakeshopCredentials };

const required = (label: string) => z.string().trim().min(1, `${label}を入力してください`);
const credentials: z.ZodType<MakeshopCredentials> = z.object({
  shopId: required('ショップID'),
  orderToken: required('注文APIの認証コード'),
  memberToken: required('会員APIの認証コード'),
});
type Ctx = ConnectorContext<MakeshopCredentials>;

export interface MakeshopOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  /** Records per answer (makeshop outputs at most 100). */
  pageSize?: number;
  /** Least time between two requests to one shop; a margin over makeshop's one second. */
  minIntervalMs?: number;
}

const DAY = 86_400_000;
/** makeshop opened in 2004: no shop has orders or members before. */
export const HISTORY_START = Date.parse('2004-01-01T00:00:00+09:00');
/** Orders of the last 30 days are read again on incremental syncs, for their shipping news. */
export const RESCAN_MS = 30 * DAY;
/** How often an incremental sync spends its requests on that rescan. */
export const RESCAN_EVERY_MS = 3 * 3_600_000;
/** Records made in the last minute may not be searchable yet. */
const SETTLE_MS = 60_000;

/** Orders: `a` the last order passed by order datetime, `r` when recent orders were last reread. */
const orderCursor = z.object({ a: positionSchema.nullable(), r: z.number().int() });
const encodeOrders = (a: Position | null, r: number) => JSON.stringify({ a, r });
function decodeOrders(cursor: string | null): z.infer<typeof orderCursor> | null {
  if (cursor === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch {
    value = undefined;
  }
  const parsed = orderCursor.safeParse(value);
  if (!parsed.success)
    throw new CartError('malformed', `makeshop cursor not understood: ${cursor}`);
  return parsed.data;
}

const orderKeys = {
  at: (o: MakeshopOrder) => parseTime(o.date),
  id: (o: MakeshopOrder) => o.ordernum,
};
const memberKeys = {
  at: (m: MakeshopMember) => parseTime(m.update_date),
  id: (m: MakeshopMember) => m.member_id,
};
const crowded = (what: string) => (t: number) =>
  `makeshop: more than a full answer of ${what} in the second ${new Date(t).toISOString()}; some were not read`;

export function createMakeshopConnector(
  options: MakeshopOptions = {},
): CartConnector<MakeshopCredentials> {
  const clientOptions = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 6,
    pageSize: Math.min(options.pageSize ?? 100, 100),
  };
  const pacer = createPacer(options.minIntervalMs ?? 1100);
  const untilOf = (ctx: Ctx) => Math.floor((ctx.now().getTime() - SETTLE_MS) / SECOND) * SECOND;

  async function* orders(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartOrder>> {
    const api = session(ctx, pacer, clientOptions);
    const from = decodeOrders(cursor);
    const until = untilOf(ctx);
    let at = from?.a ?? null;
    // A first import reads every order as it is now: its rescan is as good as done.
    const r = from?.r ?? until;
    const o = { ...orderKeys, until, search: api.orders, crowded: crowded('orders') };
    for await (const leaf of scanWindows({ ...o, from: at, floor: HISTORY_START })) {
      at = after(leaf, at, o);
      yield {
        items: leaf.records.map(toOrder),
        skipped: leaf.skipped,
        cursor: encodeOrders(at, r),
      };
    }
    if (at === null || until - r < RESCAN_EVERY_MS) return;
    // Shipping news of recent orders read before: read again (idempotent upserts) up to the
    // position reached, then the rescan is recorded as done in a last, empty page.
    const reached = at;
    const floor = Math.max(HISTORY_START, until - RESCAN_MS);
    for await (const leaf of scanWindows({
      ...o,
      until: Math.min(reached.t, until),
      from: null,
      floor,
    })) {
      const items = leaf.records.filter((x) => parseTime(x.date) <= reached.t).map(toOrder);
      yield { items, skipped: leaf.skipped, cursor: encodeOrders(at, r) };
    }
    yield { items: [], skipped: [], cursor: encodeOrders(at, until) };
  }

  async function* customers(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartCustomer>> {
    const api = session(ctx, pacer, clientOptions);
    let at = decodePosition(cursor, 'makeshop');
    const o = { ...memberKeys, search: api.members, crowded: crowded('members') };
    for await (const leaf of scanWindows({
      ...o,
      from: at,
      floor: HISTORY_START,
      until: untilOf(ctx),
    })) {
      at = after(leaf, at, o);
      yield {
        items: leaf.records.map(toCustomer),
        skipped: leaf.skipped,
        cursor: encodePosition(at),
      };
    }
  }

  return {
    kind: 'makeshop',
    credentials,
    async verify(ctx) {
      // Both 認証コード, each named when refused: a one-second order window, then an access URL.
      const api = session(ctx, pacer, clientOptions);
      const now = untilOf(ctx);
      await api.orders(now, now);
      await api.accessUrl();
    },
    customers,
    orders,
    storeKey: (c) => c.shopId.trim().toLowerCase(),
    customerAdminUrl: (_c, customer) =>
      `https://console.makeshop.jp/member/list?keyword=${encodeURIComponent(customer.externalId)}`,
  };
}

export const makeshop = createMakeshopConnector();
