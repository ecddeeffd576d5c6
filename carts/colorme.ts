// カラーミーショップ (GMO Pepabo) connector: its REST API at https://api.shop-pro.jp. Facts are from
// research/cart-apis.md §5: the official README mirrored in the generated SDKs, the SDK docs
// (pepabo/colormeshop-ruby docs/CustomerApi.md, SaleApi.md) and a quoted official guideline.
// Each is mirrored by test/fakes/colorme.ts.
// [official] per the research:
// - OAuth2 authorization code: the shop registers an app at api.shop-pro.jp/oauth/applications,
//   authorizes it with scope `read_sales` (受注・顧客データの参照) and exchanges the code at
//   /oauth/token; access tokens do not expire. Calls send `Authorization: Bearer …`.
// - `GET /v1/customers.json` filters by `update_date_min/max` (and make_date, mail, tel …);
//   `GET /v1/sales.json` by `update_date_min/max` with `limit` (≤ 50) and `offset`; answers
//   `{ customers | sales: [...], meta: { total, limit, offset } }`.
// - Customer: id, name, furigana, sex, birthday, mail, tel, tel_mobile ("080-1234-1234"),
//   points, member, sales_count, receive_mail_magazine. Sale: id, make_date/update_date (unix),
//   paid, delivered, canceled, total_price, delivered_mail_sent_date, customer, details[]
//   (product_model_number = 型番, product_num, price, price_with_tax), sale_deliveries[]
//   (slip_number, preferred_date).
// - Rate guideline: 120 requests a minute per access token (not enforced today, may be later).
// Not verified (assumptions):
// - The authorization-code flow is done outside Kizuna (the shop pastes the access token it got
//   for its own app): it needs an app registered per deployment with a redirect URL, so it is
//   left out until there is a console page for it.
// - Customers take `limit`/`offset` like sales (the SDK version read lists neither) and carry
//   `make_date`/`update_date` as unix seconds like sales.
// - The filters take `YYYY-MM-DD HH:MM:SS` in JST, both ends inclusive to the second.
// - The order of a list is undocumented, so none is relied on: a sync reads a whole window of
//   update times (split in halves while it matches more than WINDOW_MAX records), sorts it by
//   (update_date, id) itself and emits it in pages whose cursor is the last record's position.
//   A window whose total changes while it is read (a record edited meanwhile leaves it) is read
//   again, so offsets that shifted skip nothing. Updates of the last minute are left for the next
//   sync, as a write may still be landing.
// - LINE: when the shop uses カラーミー's LINE linkage, the customer carries the LINE user id in
//   `line_user_id` (LINE_FIELD in ./colorme/wire.ts). No field is documented; the research found
//   none. Without it nothing links, since カラーミー links by LINE id only (SPEC F2.4).
// - Shipped date: no such field; the 発送完了メール date (delivered_mail_sent_date), else the last
//   update of a sale marked delivered. No carrier is given (the delivery method is the shop's own
//   name); tracking number is the first delivery's slip_number. No subscriptions in this API.
// - 401 means the token was revoked (the app uninstalled); 403 a token without read_sales.
// - The shop's account id (`account_id`) is not in the credentials, so storeKey is left out.
// - The admin's customer page: https://admin.shop-pro.jp/?mode=cs_cst_edt&customer_id={id}.
import { z } from 'zod';
import type { CartCustomer, CartOrder } from '../crm/cart.ts';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';
import {
  session,
  type ClientOptions,
  type ColormeCredentials,
  type Slots,
} from './colorme/client.ts';
import { toCustomer, toOrder } from './colorme/map.ts';
import { LIMIT, customer, formatFilterTime, position, sale } from './colorme/wire.ts';

export type { ColormeCredentials };

const credentials: z.ZodType<ColormeCredentials> = z.object({
  accessToken: z.string().trim().min(1, 'アクセストークンを入力してください'),
});
type Ctx = ConnectorContext<ColormeCredentials>;

export interface ColormeOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  /** Least time between two requests (default 500 ms: 120 a minute). */
  minIntervalMs?: number;
  /** Records a window may match before it is split (default 1000). */
  windowMax?: number;
}

/** Seconds; the cursor's axis is update_date, which カラーミー gives in unix seconds. */
interface Position {
  t: number;
  id: number;
}
const cursorSchema = z.object({ t: z.number().int(), id: z.number().int() });
function decode(cursor: string | null): Position | null {
  if (cursor === null) return null;
  let parsed: z.ZodSafeParseResult<Position>;
  try {
    parsed = cursorSchema.safeParse(JSON.parse(cursor));
  } catch {
    parsed = cursorSchema.safeParse(null);
  }
  if (!parsed.success)
    throw new CartError('malformed', `カラーミー cursor not understood: ${cursor}`);
  return parsed.data;
}
const passed = (p: Position, at: Position | null) =>
  at !== null && (p.t < at.t || (p.t === at.t && p.id <= at.id));
const SETTLE_S = 60;
/** 2000-01-01 JST: カラーミーショップ opened in 2005, and a filter from 1970 invites a refusal. */
const FIRST = 946_652_400;
const REREADS = 3;
const ADMIN = 'https://admin.shop-pro.jp/?mode=cs_cst_edt&customer_id=';

interface Listing<T> {
  path: string;
  key: 'customers' | 'sales';
  read(raw: unknown): T;
}
const CUSTOMERS: Listing<CartCustomer> = {
  path: '/v1/customers.json',
  key: 'customers',
  read: (raw) => toCustomer(customer.parse(raw)),
};
const SALES: Listing<CartOrder> = {
  path: '/v1/sales.json',
  key: 'sales',
  read: (raw) => toOrder(sale.parse(raw)),
};

export function createColormeConnector(
  options: ColormeOptions = {},
): CartConnector<ColormeCredentials> {
  const opts: ClientOptions = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 6,
    minIntervalMs: options.minIntervalMs ?? 500,
  };
  const windowMax = options.windowMax ?? 1000;
  const slots: Slots = new Map();

  async function* sync<T>(
    ctx: Ctx,
    list: Listing<T>,
    cursor: string | null,
  ): AsyncGenerator<Page<T>> {
    const api = session(ctx, opts, slots);
    const at = decode(cursor);
    const until = Math.floor(ctx.now().getTime() / 1000) - SETTLE_S;
    const query = (start: number, end: number, offset: number) =>
      new URLSearchParams({
        update_date_min: formatFilterTime(start),
        update_date_max: formatFilterTime(end),
        limit: String(LIMIT),
        offset: String(offset),
      });

    /** Every record of [start, end], read again if the window changed while it was read. */
    async function readWindow(start: number, end: number, total: number, first: unknown[]) {
      for (let tries = 1; ; tries++) {
        const records = [...first];
        let changed = false;
        for (let offset = LIMIT; offset < total; offset += LIMIT) {
          const page = await api.list(list.path, list.key, query(start, end, offset));
          records.push(...page.records);
          changed ||= page.total !== total;
        }
        if (!changed || tries >= REREADS) return records;
        ({ total, records: first } = await api.list(list.path, list.key, query(start, end, 0)));
      }
    }

    async function* window(start: number, end: number): AsyncGenerator<Page<T>> {
      const head = await api.list(list.path, list.key, query(start, end, 0));
      if (head.total > windowMax && end > start) {
        const mid = Math.floor((start + end) / 2);
        yield* window(start, mid);
        yield* window(mid + 1, end);
        return;
      }
      const raws = await readWindow(start, end, head.total, head.records);
      const byId = new Map<number, { p: Position; raw: unknown }>();
      const skipped: SkippedRecord[] = [];
      for (const raw of raws) {
        const p = position.safeParse(raw);
        if (!p.success) {
          skipped.push({
            externalId: null,
            reason: `record without id/update_date: ${p.error.message}`,
          });
          continue;
        }
        byId.set(p.data.id, { p: { t: p.data.update_date, id: p.data.id }, raw });
      }
      const ordered = [...byId.values()]
        .filter((r) => !passed(r.p, at))
        .sort((a, b) => a.p.t - b.p.t || a.p.id - b.p.id);
      for (let i = 0; i < ordered.length || skipped.length > 0; i += LIMIT) {
        const chunk = ordered.slice(i, i + LIMIT);
        const page: Page<T> = { items: [], skipped: skipped.splice(0), cursor: cursor };
        for (const r of chunk) {
          try {
            page.items.push(list.read(r.raw));
          } catch (e) {
            page.skipped.push({
              externalId: String(r.p.id),
              reason:
                e instanceof z.ZodError
                  ? `unreadable record: ${e.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`
                  : String(e),
            });
          }
        }
        const tail = chunk.at(-1);
        if (tail) cursor = JSON.stringify(tail.p);
        page.cursor = cursor;
        yield page;
      }
    }

    const from = at?.t ?? FIRST;
    if (from <= until) yield* window(from, until);
  }

  return {
    kind: 'colorme',
    credentials,
    async verify(ctx) {
      // One customer proves both the token and its read_sales scope.
      await session(ctx, opts, slots, true).list(
        CUSTOMERS.path,
        'customers',
        new URLSearchParams({ limit: '1' }),
      );
    },
    customers: (ctx, cursor) => sync(ctx, CUSTOMERS, cursor),
    orders: (ctx, cursor) => sync(ctx, SALES, cursor),
    customerAdminUrl: (_creds, c) => `${ADMIN}${encodeURIComponent(c.externalId)}`,
  };
}

export const colorme = createColormeConnector();
