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
import { z } from 'zod';
import type { CartCustomer, CartOrder, CartSubscription, Carrier } from '../crm/cart.ts';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';

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

const PER = 100;
const JST = 9 * 3_600_000;

const resource = z.object({
  id: z.string(),
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  relationships: z.record(z.string(), z.object({ data: z.unknown() })).optional(),
});
type Resource = z.infer<typeof resource>;
const listDoc = z.object({ data: z.array(resource), included: z.array(resource).optional() });
const ref = z.object({ id: z.string(), type: z.string() });

const str = z.string().nullish();
const time = z.string().regex(/^\d{4}[/-]\d{2}[/-]\d{2}[ T]\d{2}:\d{2}:\d{2}/);
const customerAttrs = z.object({
  number: str,
  email: str,
  mobile_email: str,
  is_auto_generated_email: z.boolean().nullish(),
  line_id: str,
  birth: str,
  buy_times: z.number().nullish(),
  human_state_name: str,
  created_at: time.nullish(),
  updated_at: time,
});
const addressAttrs = z.object({
  name01: str,
  name02: str,
  kana01: str,
  kana02: str,
  tel01: str,
  tel02: str,
  tel03: str,
  full_tel: str,
});
const orderAttrs = z.object({
  number: str,
  customer_id: z.union([z.number(), z.string()]).nullish(),
  email: str,
  state: str,
  total: z.coerce.number(),
  created_at: time,
  completed_at: time.nullish(),
  shipped_at: time.nullish(),
  scheduled_to_be_delivered_at: str,
  shipping_carrier_name: str,
  shipping_slip: str,
  subs_order_id: z.union([z.number(), z.string()]).nullish(),
  times: z.number().nullish(),
  updated_at: time,
});
const itemAttrs = z.object({
  product_number: z.string(),
  product_name: z.string(),
  quantity: z.number(),
  price: z.coerce.number(),
});
const subsAttrs = z.object({
  state: z.string(),
  customer_id: z.union([z.number(), z.string()]).nullish(),
  times: z.number().nullish(),
  scheduled_to_be_shipped_at: time.nullish(),
  updated_at: time,
});

/** `2019/06/08 05:47:20` (JST) → Date. */
function jst(s: string): Date {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s)!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST);
}
const maybeJst = (s: string | null | undefined) => (s ? jst(s) : null);
function ymd(s: string | null | undefined): string | null {
  const m = s ? /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(s) : null;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
}
const id = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? null : String(v);

function carrier(name: string | null | undefined): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ|yamato/i.test(name)) return 'yamato';
  if (/佐川|sagawa/i.test(name)) return 'sagawa';
  if (/郵便|ゆうパ|japan ?post/i.test(name)) return 'japanpost';
  return 'other';
}

type Included = Map<string, Resource>;
const related = (r: Resource, name: string, included: Included): Resource[] => {
  const data = r.relationships?.[name]?.data;
  const refs = z.array(ref).safeParse(Array.isArray(data) ? data : data ? [data] : []);
  if (!refs.success) throw new Error(`relationship ${name} is not a list of references`);
  return refs.data.map((x) => {
    const found = included.get(`${x.type}:${x.id}`);
    if (!found) throw new Error(`${x.type} ${x.id} missing from included`);
    return found;
  });
};

function toCustomer(r: Resource, included: Included): CartCustomer {
  const a = customerAttrs.parse(r.attributes);
  const [address] = related(r, 'billing_address', included);
  const b = address ? addressAttrs.parse(address.attributes) : null;
  const split = [b?.tel01, b?.tel02, b?.tel03].filter((t): t is string => !!t?.trim());
  // Raw, as the shop typed it: identity keys are derived later (crm/identity.ts).
  const phones = b?.full_tel?.trim() ? [b.full_tel] : split.length > 0 ? [split.join('-')] : [];
  const join = (x?: string | null, y?: string | null) => [x, y].filter(Boolean).join(' ') || null;
  return {
    externalId: r.id,
    number: a.number ?? null,
    email: a.email ?? null,
    // ecforce has no verified flag; an address it made up itself must never match anyone.
    emailVerified: a.is_auto_generated_email ? false : null,
    mobileEmail: a.mobile_email ?? null,
    phones,
    lineUserId: a.line_id || null,
    name: join(b?.name01, b?.name02),
    nameKana: join(b?.kana01, b?.kana02),
    birthday: ymd(a.birth),
    customData: {
      会員状態: a.human_state_name ?? null,
      購入回数: a.buy_times ?? null,
      自動生成メール: a.is_auto_generated_email ?? false,
    },
    createdAt: maybeJst(a.created_at),
    updatedAt: jst(a.updated_at),
  };
}

function toOrder(r: Resource, included: Included): CartOrder {
  const a = orderAttrs.parse(r.attributes);
  const subscription = id(a.subs_order_id);
  return {
    externalId: r.id,
    number: a.number ?? null,
    customerExternalId: id(a.customer_id),
    orderedAt: jst(a.completed_at ?? a.created_at),
    totalAmount: a.total,
    currency: 'JPY',
    status: a.state ?? null,
    cancelled: a.state === 'canceled',
    items: related(r, 'order_items', included).map((item) => {
      const i = itemAttrs.parse(item.attributes);
      return {
        productCode: i.product_number,
        courseCode: subscription ? i.product_number : null,
        name: i.product_name,
        quantity: i.quantity,
        unitPrice: i.price,
      };
    }),
    shippedAt: maybeJst(a.shipped_at),
    requestedDeliveryDate: ymd(a.scheduled_to_be_delivered_at),
    carrier: carrier(a.shipping_carrier_name),
    trackingNumber: a.shipping_slip || null,
    subscriptionExternalId: subscription,
    subscriptionSequence: subscription ? (a.times ?? null) : null,
    ordererPhones: [],
    ordererEmail: a.email ?? null,
    updatedAt: jst(a.updated_at),
  };
}

function toSubscription(r: Resource, included: Included): CartSubscription {
  const a = subsAttrs.parse(r.attributes);
  // The customer reference is all a subscription needs, so the customer is not side-loaded.
  const customer = ref.safeParse(r.relationships?.customer?.data);
  const [item] = related(r, 'order_items', included);
  return {
    externalId: r.id,
    customerExternalId: customer.success ? customer.data.id : id(a.customer_id),
    rawStatus: a.state,
    courseCode: item ? (z.string().nullish().parse(item.attributes.product_number) ?? null) : null,
    nextDeliveryAt: maybeJst(a.scheduled_to_be_shipped_at),
    deliveries: a.times ?? null,
    updatedAt: jst(a.updated_at),
  };
}

/** Where a sync stands: the wire updated_at (sent back verbatim as gteq) and id of the last record. */
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

function retryAfterMs(header: string | null, now: Date): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

function isDnsFailure(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN';
}

export function createEcforceConnector(
  options: EcforceOptions = {},
): CartConnector<EcforceCredentials> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 6;

  /**
   * One GET with retries. 429, 5xx, timeouts and network errors back off (1 s, 2 s, 4 s ... or
   * Retry-After); 401/403 mean the token is wrong (at connect time) or was revoked (later).
   */
  async function get(
    ctx: Ctx,
    path: string,
    params: URLSearchParams,
    connecting: boolean,
  ): Promise<unknown> {
    const base = (ctx.baseUrl ?? `https://${ctx.credentials.shopDomain}`).replace(/\/+$/, '');
    const url = `${base}/api/v2/admin/${path}?${params.toString()}`;
    const headers = {
      Authorization: `Token token="${ctx.credentials.apiToken}"`,
      Accept: 'application/json',
    };
    for (let attempt = 1; ; attempt++) {
      let failure: CartError;
      let wait: number | null = null;
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
      try {
        const res = await ctx.fetch(url, { headers, signal });
        if (res.ok) {
          try {
            return await res.json();
          } catch (e) {
            if (!timer.aborted)
              throw new CartError(
                'malformed',
                `ecforce answered ${path} with invalid JSON`,
                undefined,
                { cause: e },
              );
            throw e;
          }
        }
        await res.body?.cancel();
        if (res.status === 401 || res.status === 403) {
          throw connecting
            ? new CartError(
                'bad_credentials',
                'ecforceがAPI認証トークンを受け付けません',
                'apiToken',
              )
            : new CartError(
                'revoked',
                'ecforceがAPI認証トークンを拒否しました。再接続してください',
              );
        }
        if (res.status === 404)
          throw new CartError(
            'not_found',
            `ecforceのショップが見つかりません (${ctx.credentials.shopDomain})`,
            'shopDomain',
          );
        if (res.status === 429) {
          failure = new CartError('rate_limited', 'ecforceのAPI利用制限に達しました');
          wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
        } else if (res.status >= 500) {
          failure = new CartError('unavailable', `ecforceが応答できません (HTTP ${res.status})`);
        } else {
          throw new CartError('malformed', `ecforce refused ${path} (HTTP ${res.status})`);
        }
      } catch (e) {
        if (e instanceof CartError) throw e;
        if (ctx.signal?.aborted) throw e;
        if (isDnsFailure(e))
          throw new CartError(
            'not_found',
            `ショップのドメインが見つかりません (${ctx.credentials.shopDomain})`,
            'shopDomain',
            { cause: e },
          );
        failure = new CartError(
          'unavailable',
          timer.aborted
            ? `ecforceが${timeoutMs / 1000}秒以内に応答しませんでした`
            : 'ecforceに接続できません',
          undefined,
          { cause: e },
        );
      }
      if (attempt >= maxAttempts) throw failure;
      await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
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
    customerAdminUrl: (creds, customer) =>
      `https://${creds.shopDomain}/admin/customers/${encodeURIComponent(customer.externalId)}`,
  };
}

export const ecforce = createEcforceConnector();
