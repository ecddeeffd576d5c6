// futureshop connector: its admin API (v1 paths of "futureshop API v2"). Facts are from
// research/cart-apis.md §4: the official manual's overview, a public Ruby client (token request,
// `/admin-api/v1/shipping` with `nextUrl` paging, order JSON fixtures) and an integrator's member
// search. Each is mirrored by test/fakes/futureshop.ts.
// [3P] per the research:
// - Credentials: APIドメイン, 店舗キー (shop key), クライアントID, クライアントシークレット, issued
//   when the shop applies for API use (trial shop first, then production via the admin).
// - `POST https://{apiDomain}/oauth/token` with `Authorization: Basic base64(id:secret)`,
//   `X-SHOP-KEY`, form `grant_type=client_credentials` answers `access_token`, `token_type`,
//   `expires_in`; API calls send `Authorization: Bearer …` and `X-SHOP-KEY`.
// - `GET /admin-api/v1/shipping` answers `{ orderList, nextUrl }`; follow `nextUrl` until absent.
//   Order fields as in ./futureshop/wire.ts: `orderNo`, `date`, `dateLastUpdated`, `status`,
//   `grandTotal`, `buyerInfo { memberId, mail, mobileMail, telNoMain }` (hyphenated phone),
//   `subscriptionNo`/`subscriptionPeriodNo` (`""` when not 定期), `shipmentList[].productList[]
//   { productNo, skuNo, name, price, count }`, list-shape `shipmentList[].shippingInfo
//   .shippingDate`. Datetimes are `2021-07-07T21:16:17`, JST without zone; `""` means empty.
// - `GET /admin-api/v1/members` exists (会員検索API) answering a list of members.
// Not verified (assumptions):
// - Incremental filters: both searches take `updateDateStart` (inclusive, to the second, same
//   format as orderDateStart) and list oldest update first, ties by member id / order number.
//   Only orderDateStart/End is public; if the real API lacks an update filter, change
//   UPDATED_FROM in ./futureshop/wire.ts (the cursor keeps working for any ascending key).
// - Member fields: the seed's member table (LOYCUS's futureshop import) spelt as buyerInfo
//   spells the same fields: memberId, lastName/firstName(+Kana), mail, mobileMail, telNoMain,
//   telNoAlternate (昼間の連絡先), birthday (`YYYY-MM-DD` or ""), memberStageName, purchasePoint and
//   purchasePointExpirationDate (購入ポイント数/有効期限), dateCreated/dateLastLogin/
//   dateLastUpdated, additionalAttributes [{no, value}] …; the list key is `members` (the
//   integrator) or `memberList`. LINE: `lineId` holds the LINE user id when the shop runs
//   futureshop's LINE login; no name for it is public.
// - No verified-e-mail flag: emailVerified stays null, so an address links (F2.4 says verified
//   only: the shop should enable address confirmation, as the seed advises). The mobile address
//   is the one matched when both exist (crm/cart-keys.ts).
// - Token: expires_in defaults to 3600 s when absent; a 401 on an API call gets one new token
//   (futureshop may revoke a token before expiry); a refused token request (400/401/403,
//   `invalid_client`) means the client id, secret or shop key is wrong: they cannot be told
//   apart, so the error names clientSecret and says to check all three.
// - No documented rate limit: calls are spaced by 1 s (the Ruby client's pause between pages);
//   429 may come with Retry-After; 5xx, 429 and timeouts are retried with backoff.
// - Orders: shipped once every shipment has a shippingDate, dated JST midnight of the latest;
//   carrier `shippingInfo.deliveryCompanyName`, tracking `slipNo`, お届け希望日 `deliveryDate`;
//   status `CANCELLED` means cancelled; product code is productNo, else skuNo (the list shape
//   has only skuNo).
// - No subscription API: 定期 orders carry subscriptionNo and subscriptionPeriodNo only.
// - The admin's member page URL is not public: the link opens a member search of futureshop's
//   admin (admin.future-shop.jp) with the member id, for staff to check.
// - Records updated in the last minute are left for the next sync (a write may still be landing
//   in that second, with a lower id than the cursor's).
import { z } from 'zod';
import type { CartCustomer, CartOrder } from '../crm/cart.ts';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';
import { session, type FutureshopCredentials, type TokenCache } from './futureshop/client.ts';
import { toCustomer, toOrder } from './futureshop/map.ts';
import {
  UPDATED_FROM,
  formatTime,
  listResponse,
  member,
  order,
  parseTime,
  time,
} from './futureshop/wire.ts';

export type { FutureshopCredentials };

const credentials: z.ZodType<FutureshopCredentials> = z.object({
  apiDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/,
      'APIドメイン (例: api.example.future-shop.jp) を入力してください',
    ),
  shopKey: z.string().trim().min(1, '店舗キーを入力してください'),
  clientId: z.string().trim().min(1, 'クライアントIDを入力してください'),
  clientSecret: z.string().trim().min(1, 'クライアントシークレットを入力してください'),
});
type Ctx = ConnectorContext<FutureshopCredentials>;

export interface FutureshopOptions {
  timeoutMs?: number;
  maxAttempts?: number;
  minIntervalMs?: number;
}

const ADMIN = 'https://admin.future-shop.jp/admin/member/search';
const SETTLE_MS = 60_000;

/** The last record passed: its wire update time (sent back verbatim) and id. */
interface Position {
  u: string;
  t: number;
  id: string;
}
const cursorSchema = z.object({ u: time, id: z.string() });
function decode(cursor: string | null): Position | null {
  if (cursor === null) return null;
  let parsed: z.ZodSafeParseResult<{ u: string; id: string }>;
  try {
    parsed = cursorSchema.safeParse(JSON.parse(cursor));
  } catch {
    parsed = cursorSchema.safeParse(null);
  }
  if (!parsed.success)
    throw new CartError('malformed', `futureshop cursor not understood: ${cursor}`);
  return { ...parsed.data, t: parseTime(parsed.data.u) };
}
const encode = (p: Position | null) => (p ? JSON.stringify({ u: p.u, id: p.id }) : null);
/** Member ids and order numbers are digits: compared as numbers, else as text. */
const idBefore = (a: string, b: string) =>
  /^\d+$/.test(a) && /^\d+$/.test(b)
    ? a.length < b.length || (a.length === b.length && a <= b)
    : a <= b;
const seen = (p: Position, at: Position) => p.t < at.t || (p.t === at.t && idBefore(p.id, at.id));

interface Listing<T> {
  path: string;
  idKey: 'memberId' | 'orderNo';
  records: (doc: z.infer<typeof listResponse>) => unknown[] | undefined;
  read(raw: unknown): T;
}
const MEMBERS: Listing<CartCustomer> = {
  path: '/admin-api/v1/members',
  idKey: 'memberId',
  records: (d) => d.members ?? d.memberList,
  read: (raw) => toCustomer(member.parse(raw)),
};
const ORDERS: Listing<CartOrder> = {
  path: '/admin-api/v1/shipping',
  idKey: 'orderNo',
  records: (d) => d.orderList,
  read: (raw) => toOrder(order.parse(raw)),
};

export function createFutureshopConnector(
  options: FutureshopOptions = {},
): CartConnector<FutureshopCredentials> {
  const opts = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 6,
    minIntervalMs: options.minIntervalMs ?? 1000,
  };
  // Tokens live an hour: kept across syncs of this process so each sync does not ask again.
  const tokens: TokenCache = new Map();

  const positionOf = (raw: unknown, idKey: string): Position | null => {
    const r = z
      .object({ [idKey]: z.union([z.string().min(1), z.number()]), dateLastUpdated: time })
      .safeParse(raw);
    if (!r.success) return null;
    const u = r.data.dateLastUpdated as string;
    return { u, t: parseTime(u), id: String(r.data[idKey]) };
  };

  /**
   * Keyset paging over the API's own: each query asks for updates from the last record passed
   * on and drops what was passed, so records edited mid-sync (which move to the end) cannot
   * shift unseen ones past a page. nextUrl is followed only through a second crowded with more
   * records than a page.
   */
  async function* sync<T>(
    ctx: Ctx,
    list: Listing<T>,
    cursor: string | null,
  ): AsyncGenerator<Page<T>> {
    const api = session(ctx, tokens, opts);
    let at = decode(cursor);
    let next: string | null = null;
    const until = Math.floor((ctx.now().getTime() - SETTLE_MS) / 1000) * 1000;
    for (;;) {
      const params = new URLSearchParams();
      if (at) params.set(UPDATED_FROM, at.u);
      const doc = listResponse.safeParse(
        await api.get(next ?? list.path, next ? undefined : params),
      );
      const records = doc.success ? list.records(doc.data) : undefined;
      if (!doc.success || !records)
        throw new CartError('malformed', `futureshop ${list.path}: not a list answer`);
      const items: T[] = [];
      const skipped: SkippedRecord[] = [];
      let last = at;
      let settled = true;
      for (const raw of records) {
        const p = positionOf(raw, list.idKey);
        if (p && at && seen(p, at)) continue;
        // Oldest first: from here on everything is too fresh.
        if (p && p.t > until) {
          settled = false;
          break;
        }
        try {
          items.push(list.read(raw));
        } catch (e) {
          const id = (raw as Record<string, unknown> | null)?.[list.idKey];
          skipped.push({
            externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
            reason:
              e instanceof z.ZodError
                ? `unreadable record: ${e.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`
                : String(e),
          });
        }
        if (p) last = p;
      }
      if (items.length > 0 || skipped.length > 0) yield { items, skipped, cursor: encode(last) };
      if (!doc.data.nextUrl || !settled) return;
      const tail = positionOf(records.at(-1), list.idKey);
      if (!tail)
        throw new CartError(
          'malformed',
          `futureshop ${list.path}: last record has no id/update time`,
        );
      if (at && tail.t === at.t) next = doc.data.nextUrl;
      else {
        at = tail;
        next = null;
      }
    }
  }

  return {
    kind: 'futureshop',
    credentials,
    async verify(ctx) {
      // A token proves the client; one member search proves the shop key opens the API.
      const api = session(ctx, tokens, opts, true);
      const params = new URLSearchParams({ [UPDATED_FROM]: formatTime(ctx.now().getTime()) });
      await api.get(MEMBERS.path, params);
    },
    customers: (ctx, cursor) => sync(ctx, MEMBERS, cursor),
    orders: (ctx, cursor) => sync(ctx, ORDERS, cursor),
    storeKey: (creds) => creds.shopKey.trim(),
    customerAdminUrl: (_creds, customer) =>
      `${ADMIN}?memberId=${encodeURIComponent(customer.externalId)}`,
  };
}

export const futureshop = createFutureshopConnector();
