// Rakuten RMS connector: the Rakuten Pay order API (楽天ペイ受注API, RakutenPayOrderAPI). Facts
// are from research/cart-apis.md §2, which read public copies of the login-gated official pages,
// and from the public Go SDK it cites; each is mirrored by test/fakes/rakuten.ts.
// [official] per the research:
// - Base https://api.rms.rakuten.co.jp; `Authorization: ESA base64(serviceSecret:licenseKey)`,
//   `Content-Type: application/json; charset=utf-8`. The licence key expires every 90 days.
// - `POST /es/2.0/order/searchOrder/` takes `dateType` (1 注文日 … 5 発送完了報告日 …),
//   `startDatetime`/`endDatetime` as `2017-10-14T00:00:00+0900`: the start within the past 730
//   days, the end within 63 days of the start. `PaginationRequestModel { requestRecordsAmount
//   ≤ 1000, requestPage, SortModelList[{ sortColumn: 1 (注文日時), sortDirection: 1 asc }] }`.
//   It answers `orderNumberList`, `MessageModelList`, `PaginationResponseModel
//   { totalRecordsAmount, totalPages, requestPage }` (all null when nothing matched); past the
//   15,000th result nothing can be read.
// - `POST /es/2.0/order/getOrder/` takes `orderNumberList` (≤ 100) and `version` (10, the latest
//   found); answers `OrderModelList` and `MessageModelList`.
// - Order fields as in ./rakuten/wire.ts: `orderDatetime`, `orderProgress` (900 キャンセル確定),
//   `OrdererModel.phoneNumber1/2/3` (one may be null), a masked `emailAddress`,
//   `PackageModelList[].ItemModelList[]` and `.ShippingModelList[].shippingDate` (YYYY-MM-DD),
//   `orderType` (4 定期購入, 5 頒布会) with `reserveNumber` and `reserveDeliveryCount`, amounts
//   with -9999 for unknown, `deliveryDate` (お届け日指定).
// - Errors: 400/404/405/500/503 with `MessageModelList[].{messageType,messageCode,message}`.
// Not verified (assumptions):
// - There is no "changed since" search: no dateType is a last-update time. So the cursor is the
//   (order datetime, order number) of the last order passed, new orders are found by 注文日, and
//   changes after import are found by 発送完了報告日 (dateType 5). An order cancelled after it
//   was imported and never shipped is not seen again (no search date type covers cancellations).
// - The search's sort among orders of one second is unspecified, so pages are sorted by
//   (datetime, order number) here before they are emitted. To sort a whole page a window must fit
//   one search page: a window that finds more than a page is split into shorter windows (a
//   single second with more than a page is read over all its pages at once).
// - `startDatetime` and `endDatetime` are both inclusive, to the second.
// - The search may lag a moment behind new orders: the scan stops 5 minutes before now.
// - A 401 (its body, e.g. `{"Results":{"errorCode":"ES04-01",…}}`, is not read) is ESA auth
//   refused (wrong or expired key): the licence key is named, since it is the
//   credential that expires; a 403 means the shop has not enabled rpay.order.searchOrder /
//   getOrder in 利用機能編集. Neither is retried.
// - No documented rate limit: requests are spaced by 1 s (integrators' advice); 429 may come
//   with Retry-After; 5xx, 429 and timeouts are retried with backoff.
// - Customers: the order API has no customer or member id. A customer is the orderer of orders,
//   identified by a digest of phone + name (see ordererId), snapshotted from each order: the
//   customers listing emits, per page of orders, each orderer once as of their latest order
//   there, so the same customer comes again (newer) on later pages where they ordered again.
// - The masked address `…@pc.fw.rakuten.ne.jp` is shown as the customer number (F3.7), as of
//   the customer's latest order (whether Rakuten issues one per buyer or per order is unknown;
//   ids do not depend on it), and never links (emailVerified false; crm/identity.ts treats every
//   Rakuten address as a placeholder). No birthday is kept: F4.4 leaves Rakuten out.
// - A customer's updatedAt is the datetime of the order it was taken from; an order's is the
//   latest of its event datetimes (Rakuten has no update time).
// - Shipped date: the latest `shippingDate` once every package has one (a gift order is shipped
//   when its last package left), JST midnight; carrier and tracking number of that shipment;
//   `deliveryCompany` 1001/1002/1003 are ヤマト/佐川/日本郵便 (the Go SDK's code list).
// - Total: totalPrice − couponAllTotalPrice + deliveryPrice + paymentCharge +
//   additionalFeeOccurAmountToUser (research's 総合計), -9999 counted as 0. Product code: 商品番号
//   (`itemNumber`), else 商品管理番号. Status: the `orderProgress` name (発送済 …).
// - Subscriptions: ReserveAPI (reserve.infoList.get) lists only applications not yet confirmed
//   as orders, so it cannot tell a running 定期購入 from a cancelled one; it is not used. Orders
//   of type 4/5 carry their 申込番号 as the subscription id and `reserveDeliveryCount` as the
//   delivery number, and their lines the item code as course; no subscription records are made.
// - The RMS admin has no customer page, and no documented link pre-fills its order search: the
//   admin link opens RMS's order search (order-rb/search-order-sc, as integrators link it) with
//   the masked address in the fragment for staff to paste.
// The HTTP client is ./rakuten/client.ts, the wire schemas ./rakuten/wire.ts, the mapping
// ./rakuten/map.ts.
import { z } from 'zod';
import type { CartCustomer, CartOrder } from '../crm/cart.ts';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';
import { session, type RakutenCredentials } from './rakuten/client.ts';
import { ordererId, toCustomer, toOrder } from './rakuten/map.ts';
import {
  DATE_TYPE,
  formatTime,
  parseTime,
  time,
  type DateType,
  type OrderModel,
} from './rakuten/wire.ts';

export type { RakutenCredentials };

const credentials: z.ZodType<RakutenCredentials> = z.object({
  serviceSecret: z
    .string()
    .trim()
    .min(1, 'サービスシークレット (serviceSecret) を入力してください'),
  licenseKey: z.string().trim().min(1, 'ライセンスキー (licenseKey) を入力してください'),
});
type Ctx = ConnectorContext<RakutenCredentials>;

export interface RakutenOptions {
  /** Per request; a request still unanswered then counts as unavailable and is retried. */
  timeoutMs?: number;
  /** Tries per request before a 429/5xx/timeout becomes the sync's error. */
  maxAttempts?: number;
  /** Orders per search page (Rakuten allows up to 1000). */
  pageSize?: number;
  /** Least time between two requests of one sync. */
  minIntervalMs?: number;
}

const SECOND = 1000;
const DAY = 86_400_000;
/** searchOrder: the end within 63 days of the start; both inclusive, to the second. */
export const WINDOW_MS = 63 * DAY;
/** searchOrder / getOrder: orders of the past 730 days only. */
export const HISTORY_MS = 730 * DAY;
/** Kept off the 730-day edge so the cart's clock running ahead of ours is no error. */
const HISTORY_MARGIN_MS = 10 * 60_000;
const SETTLE_MS = 5 * 60_000;
const ADMIN_SEARCH = 'https://order-rp.rms.rakuten.co.jp/order-rb/search-order-sc/init';

/**
 * Where a scan stands: the datetime (ms, on the scanned date type's axis) and order number of the
 * last order passed; `n: null` means the whole second `t` was passed.
 */
interface Position {
  t: number;
  n: string | null;
}
const positionSchema = z.object({ t: time, n: z.string().nullable() });
/** Orders: `a` new orders by order datetime, `b` shipment reports. Customers use `a` only. */
const cursorSchema = z.object({ a: positionSchema.nullable(), b: positionSchema.optional() });
const wirePosition = (p: Position) => ({ t: formatTime(p.t), n: p.n });
function encode(a: Position | null, b?: Position): string {
  return JSON.stringify({ a: a && wirePosition(a), ...(b ? { b: wirePosition(b) } : {}) });
}
function decode(cursor: string | null): { a: Position | null; b: Position | null } | null {
  if (cursor === null) return null;
  let parsed: z.ZodSafeParseResult<z.infer<typeof cursorSchema>>;
  try {
    parsed = cursorSchema.safeParse(JSON.parse(cursor));
  } catch {
    parsed = cursorSchema.safeParse(null);
  }
  if (!parsed.success) throw new CartError('malformed', `Rakuten cursor not understood: ${cursor}`);
  const read = (p: { t: string; n: string | null }) => ({ t: parseTime(p.t), n: p.n });
  return { a: parsed.data.a && read(parsed.data.a), b: parsed.data.b ? read(parsed.data.b) : null };
}
const passed = (t: number, n: string, at: Position | null) =>
  at !== null && (t < at.t || (t === at.t && (at.n === null || n <= at.n)));

interface Found {
  model: OrderModel;
  customerId: string;
  at: number;
}
interface Leaf {
  found: Found[];
  skipped: SkippedRecord[];
}

export function createRakutenConnector(
  options: RakutenOptions = {},
): CartConnector<RakutenCredentials> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 6;
  const pageSize = Math.min(options.pageSize ?? 1000, 1000);
  const minIntervalMs = options.minIntervalMs ?? 1000;

  const untilOf = (now: Date) => Math.floor((now.getTime() - SETTLE_MS) / SECOND) * SECOND;
  const floorOf = (now: Date) =>
    Math.ceil((now.getTime() - HISTORY_MS + HISTORY_MARGIN_MS) / SECOND) * SECOND;

  /**
   * Orders on one date type's axis after `from` up to `until`, oldest first: ≤ 63-day windows
   * from at most 730 days back, each split until it fits a page, each page sorted by (datetime,
   * order number) so that a cursor inside a second is exact.
   */
  async function* scan(
    ctx: Ctx,
    dateType: DateType,
    from: Position | null,
    until: number,
  ): AsyncGenerator<Leaf> {
    const api = session(ctx, { timeoutMs, maxAttempts, pageSize, minIntervalMs });
    let start = Math.max(from?.t ?? -Infinity, floorOf(ctx.now()));
    while (start <= until) {
      const end = Math.min(start + WINDOW_MS - SECOND, until);
      for await (const numbers of api.windows(dateType, start, end)) {
        const { models, skipped } = await api.details(numbers);
        const found: Found[] = [];
        for (const model of models) {
          const on =
            dateType === DATE_TYPE.ordered ? model.orderDatetime : model.shippingCmplRptDatetime;
          // An order the search matched by a date it does not carry sorts at the window's end.
          const at = on ? parseTime(on) : end;
          if (passed(at, model.orderNumber, from)) continue;
          found.push({ model, customerId: await ordererId(model.OrdererModel), at });
        }
        found.sort((x, y) =>
          x.at !== y.at ? x.at - y.at : x.model.orderNumber < y.model.orderNumber ? -1 : 1,
        );
        if (found.length > 0 || skipped.length > 0) yield { found, skipped };
      }
      start = end + SECOND;
    }
  }
  const positionOf = (f: Found): Position => ({ t: f.at, n: f.model.orderNumber });

  async function* orders(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartOrder>> {
    const at = decode(cursor);
    const until = untilOf(ctx.now());
    let a = at?.a ?? null;
    // A first import reads every order as it is now, shipments reported so far included.
    let b: Position = at?.b ?? { t: until, n: null };
    const fresh = new Set<string>();
    for await (const leaf of scan(ctx, DATE_TYPE.ordered, a, until)) {
      for (const f of leaf.found) fresh.add(f.model.orderNumber);
      a = leaf.found.length > 0 ? positionOf(leaf.found.at(-1)!) : a;
      yield {
        items: leaf.found.map((f) => toOrder(f.model, f.customerId)),
        skipped: leaf.skipped,
        cursor: encode(a, b),
      };
    }
    if (b.t >= until && b.n === null) return;
    // Orders imported earlier whose shipment was reported since: their shipped date, carrier and
    // tracking number (and any change made by then). Those just read above are current already.
    for await (const leaf of scan(ctx, DATE_TYPE.shipmentReported, b, until)) {
      b = leaf.found.length > 0 ? positionOf(leaf.found.at(-1)!) : b;
      yield {
        items: leaf.found
          .filter((f) => !fresh.has(f.model.orderNumber))
          .map((f) => toOrder(f.model, f.customerId)),
        skipped: leaf.skipped,
        cursor: encode(a, b),
      };
    }
  }

  async function* customers(ctx: Ctx, cursor: string | null): AsyncGenerator<Page<CartCustomer>> {
    let a = decode(cursor)?.a ?? null;
    for await (const leaf of scan(ctx, DATE_TYPE.ordered, a, untilOf(ctx.now()))) {
      // Oldest first, so each orderer ends up as of their latest order on the page.
      const byId = new Map<string, CartCustomer>();
      for (const f of leaf.found) byId.set(f.customerId, toCustomer(f.model, f.customerId));
      a = leaf.found.length > 0 ? positionOf(leaf.found.at(-1)!) : a;
      yield { items: [...byId.values()], skipped: leaf.skipped, cursor: encode(a) };
    }
  }

  return {
    kind: 'rakuten',
    credentials,
    async verify(ctx) {
      const now = untilOf(ctx.now());
      await session(ctx, { timeoutMs, maxAttempts, pageSize, minIntervalMs }).search(
        DATE_TYPE.ordered,
        now - DAY,
        now,
        1,
        30,
      );
    },
    customers,
    orders,
    customerAdminUrl: (_creds, customer) =>
      `${ADMIN_SEARCH}#${encodeURIComponent(customer.number ?? customer.externalId)}`,
  };
}

export const rakuten = createRakutenConnector();
