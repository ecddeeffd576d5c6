// ecforce (SUPER STUDIO) Admin API v2 connector. Facts are from research/cart-apis.md §3, which
// had no access to the official (contract-gated) reference. Wire assumptions not verified
// against a real tenant, each mirrored by test/fakes/ecforce.ts:
// - `sort=updated_at,id` sorts by both keys (the docs show `-updated_at,id`), and
//   `q[updated_at_gteq]` accepts the `YYYY/MM/DD HH:MM:SS` form the API prints.
// - Datetimes without zone are JST.
// - A list answers `data`, `included`, `meta`; `meta.total_pages` is unreliable, so a short page
//   ends the listing. `per` is at most 100.
// - Customer phone and name live on `billing_address` (`include=billing_address`): `full_tel`
//   when typed in one field, else `tel01`-`tel03`. `birth` is a date (YYYY-MM-DD or YYYY/MM/DD).
// - Orders: `customer_id`, `total`, `completed_at` (else `created_at`), `shipped_at`,
//   `scheduled_to_be_delivered_at` (お届け希望日), `shipping_carrier_name`, `shipping_slip`
//   (tracking number, as in the shipping write-back), `subs_order_id`, `times`, line items as
//   `order_items` side-loaded with `include=order_items`; `state` `canceled` means cancelled.
// - subs_orders: `relationships.customer` or `customer_id`; the course is the product number of
//   its first order item (`include=order_items`).
// - Record ids are integers (the cursor orders ties by them); `updated_at` changes on every
//   edit of the record (whether an edit of its billing address bumps the customer is unknown).
// - `line_id` holds the LINE user id (U + 32 hex) of ecforce's own LINE linkage.
// - `is_auto_generated_email` true means ecforce made the address up: emailVerified is false
//   then (never matched) and null otherwise (ecforce has no verified flag).
// - Order `state` values other than `canceled` are kept raw (`complete`, `wmswait`, ...); an
//   order's own phone is not read (`include=billing_address` on orders is untested).
// - Unknown shop domains fail DNS or answer 404; a bad token answers 401 (or 403).
// - No documented rate limit: 429 may come with Retry-After (seconds or HTTP date).
// - The admin's customer page is https://{shopDomain}/admin/customers/{id}.
// - Products: `products.json` lists `number` (商品コード, = order items' product_number), `name`,
//   `sales_price` (tax included), `thumbnail_url`, `updated_at`; paged by page/per sorted by id.
//   The storefront page is https://{shopDomain}/shop/products/{number}. Subscription courses are
//   not told apart in the listing, so courseCode stays null.
import { z } from 'zod';
import { restSession, type RestCart } from './rest-sync.ts';
import type { CartProduct } from '../crm/cart.ts';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';
import {
  PER,
  listDoc,
  time,
  jst,
  toCustomer,
  toOrder,
  toProduct,
  toSubscription,
  type Resource,
  type Included,
} from './ecforce/wire.ts';

const credentials = z.object({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
      'ショップのドメイン (例: shop.example.com) を入力してください',
    ),
  apiToken: z.string().trim().min(1, 'API認証トークンを入力してください'),
});
export type EcforceCredentials = z.infer<typeof credentials>;
type Ctx = ConnectorContext<EcforceCredentials>;

export interface EcforceOptions {
  /** Per request; a request still unanswered then counts as unavailable and is retried. */
  timeoutMs?: number;
  /** Tries per request before a 429/5xx/timeout becomes the sync's error. */
  maxAttempts?: number;
}

interface Position {
  u: string;
  t: number;
  id: number;
}
const cursorSchema = z.object({ u: time, id: z.number().int() });
const encode = (p: Position | null) => (p ? JSON.stringify({ u: p.u, id: p.id }) : null);
function decode(cursor: string | null): Position | null {
  if (cursor === null) return null;
  let parsed: z.ZodSafeParseResult<{ u: string; id: number }>;
  try {
    parsed = cursorSchema.safeParse(JSON.parse(cursor));
  } catch {
    parsed = cursorSchema.safeParse(null);
  }
  if (!parsed.success) throw new CartError('malformed', `ecforce cursor not understood: ${cursor}`);
  return { ...parsed.data, t: jst(parsed.data.u).getTime() };
}
function positionOf(r: Resource): Position | null {
  const u = time.safeParse(r.attributes.updated_at);
  const n = Number(r.id);
  return u.success && Number.isSafeInteger(n)
    ? { u: u.data, t: jst(u.data).getTime(), id: n }
    : null;
}
const seen = (p: Position, at: Position) => p.t < at.t || (p.t === at.t && p.id <= at.id);

/** ecforce's admin API as a REST cart: token auth on the shop's own domain. */
const ecforceRest: RestCart<EcforceCredentials> = {
  label: 'ecforce',
  baseUrl: (c) => `https://${c.shopDomain}`,
  headers: (c) => ({ Authorization: `Token token="${c.apiToken}"` }),
  secretField: 'apiToken',
  secretName: 'API認証トークン',
  domainField: 'shopDomain',
  domain: (c) => c.shopDomain,
};

export function createEcforceConnector(
  options: EcforceOptions = {},
): CartConnector<EcforceCredentials> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 6;

  /**
   * One GET with retries (rest-sync.ts): 429, 5xx, timeouts and network errors back off;
   * 401/403 mean the token is wrong (at connect time) or was revoked (later). No pacing: ecforce
   * publishes no rate limit.
   */
  function get(ctx: Ctx, path: string, params: URLSearchParams, connecting: boolean) {
    return restSession(ctx, ecforceRest, { timeoutMs, maxAttempts, minIntervalMs: 0 }).get(
      `api/v2/admin/${path}`,
      params,
      connecting,
    );
  }

  /**
   * Keyset paging emulated over page/per: each request asks for updated_at ≥ the last record's
   * and drops what was already passed, so records edited mid-sync (which jump to the end) cannot
   * shift a page over unseen ones. Only a run of more than 100 records sharing one second is
   * walked with page numbers.
   */
  async function* sync<T>(
    ctx: Ctx,
    path: string,
    include: string,
    cursor: string | null,
    read: (r: Resource, included: Included) => T,
  ): AsyncGenerator<Page<T>> {
    let at = decode(cursor);
    let page = 1;
    for (;;) {
      const params = new URLSearchParams({
        per: String(PER),
        page: String(page),
        sort: 'updated_at,id',
        include,
      });
      if (at) params.set('q[updated_at_gteq]', at.u);
      const doc = listDoc.safeParse(await get(ctx, path, params, false));
      if (!doc.success)
        throw new CartError(
          'malformed',
          `ecforce ${path}: not a JSON:API list (${doc.error.message})`,
        );
      const included: Included = new Map(
        (doc.data.included ?? []).map((r) => [`${r.type}:${r.id}`, r]),
      );
      const items: T[] = [];
      const skipped: SkippedRecord[] = [];
      let last = at;
      for (const r of doc.data.data) {
        const p = positionOf(r);
        if (p && at && seen(p, at)) continue;
        try {
          items.push(read(r, included));
        } catch (e) {
          skipped.push({ externalId: r.id, reason: e instanceof Error ? e.message : String(e) });
        }
        if (p) last = p;
      }
      if (items.length > 0 || skipped.length > 0) yield { items, skipped, cursor: encode(last) };
      if (doc.data.data.length < PER) return;
      const tail = positionOf(doc.data.data.at(-1)!);
      if (!tail)
        throw new CartError('malformed', `ecforce ${path}: last record has no id/updated_at`);
      if (at && tail.t === at.t) page++;
      else {
        at = tail;
        page = 1;
      }
    }
  }

  /** The whole catalog by page number: it is small and has no cursor to resume from. */
  async function* products(ctx: Ctx): AsyncGenerator<Page<CartProduct>> {
    for (let page = 1; ; page++) {
      const params = new URLSearchParams({ per: String(PER), page: String(page), sort: 'id' });
      const doc = listDoc.safeParse(await get(ctx, 'products.json', params, false));
      if (!doc.success)
        throw new CartError('malformed', 'ecforce products.json: not a JSON:API list');
      const items: CartProduct[] = [];
      const skipped: SkippedRecord[] = [];
      for (const r of doc.data.data) {
        try {
          items.push(toProduct(r, ctx.credentials.shopDomain));
        } catch (e) {
          skipped.push({ externalId: r.id, reason: e instanceof Error ? e.message : String(e) });
        }
      }
      if (items.length > 0 || skipped.length > 0) yield { items, skipped, cursor: null };
      if (doc.data.data.length < PER) return;
    }
  }

  return {
    kind: 'ecforce',
    credentials,
    async verify(ctx) {
      await get(ctx, 'customers.json', new URLSearchParams({ per: '1' }), true);
    },
    customers: (ctx, cursor) => sync(ctx, 'customers.json', 'billing_address', cursor, toCustomer),
    orders: (ctx, cursor) => sync(ctx, 'orders.json', 'order_items', cursor, toOrder),
    subscriptions: (ctx, cursor) =>
      sync(ctx, 'subs_orders.json', 'order_items', cursor, toSubscription),
    products,
    storeKey: (creds) => creds.shopDomain.toLowerCase(),
    customerAdminUrl: (creds, customer) =>
      `https://${creds.shopDomain}/admin/customers/${encodeURIComponent(customer.externalId)}`,
  };
}

export const ecforce = createEcforceConnector();
