// Mechanics shared by carts whose REST API lists records by update time, a page at a time
// (リピスト, サブスクストア): one GET with pacing, retries and errors in a shop's words, and keyset
// paging emulated over page numbers. What the carts' wires look like (paths, parameters,
// envelopes, auth headers, field names) stays in each cart's own wire.ts; this file knows none.
import { z } from 'zod';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
} from './connector.ts';
import { retryAfterMs } from './paced.ts';
import type { CartCustomer, CartKind, CartOrder, CartSubscription } from '../crm/cart.ts';

/** How one cart's requests are addressed and how its refusals are named. */
export interface RestCart<C> {
  /** The cart's name in messages staff read (Japanese first, as the rest of the console). */
  label: string;
  /** API base URL built from the credentials (overridden by ctx.baseUrl in tests and demos). */
  baseUrl(credentials: C): string;
  headers(credentials: C): Record<string, string>;
  /** The credential field a refused request names (the secret a shop re-enters). */
  secretField: string;
  /** What that secret is called in messages ("API認証トークン"); 認証情報 when not given. */
  secretName?: string;
  /** The credential field naming the shop, for unknown domains (404 / DNS). */
  domainField: string;
  domain(credentials: C): string;
  /** Said with a refusal: what else than a wrong secret makes this cart refuse (IP allow-lists). */
  refusedHint?: string;
}

export interface RestOptions {
  /** Per request; a request still unanswered then counts as unavailable and is retried. */
  timeoutMs: number;
  /** Tries per request before a 429/5xx/timeout becomes the sync's error. */
  maxAttempts: number;
  /** Least time between two requests of one sync (the cart's rate limit, or 1 s when unknown). */
  minIntervalMs: number;
}

function isDnsFailure(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN';
}

/**
 * One sync's requests: spaced by minIntervalMs (on the injected clock, so tests run instantly),
 * each retried on 429 (Retry-After honoured), 5xx, timeouts and network errors with backoff.
 * 401/403 are wrong credentials at connect time and revoked ones later; neither is retried.
 */
export function restSession<C>(ctx: ConnectorContext<C>, cart: RestCart<C>, opts: RestOptions) {
  let last: number | null = null;
  const base = (ctx.baseUrl ?? cart.baseUrl(ctx.credentials)).replace(/\/+$/, '');
  const headers = { ...cart.headers(ctx.credentials), Accept: 'application/json' };
  const secret = cart.secretName ?? '認証情報';

  async function pace(): Promise<void> {
    if (last !== null && opts.minIntervalMs > 0) {
      const wait = last + opts.minIntervalMs - ctx.now().getTime();
      if (wait > 0) await ctx.sleep(wait);
    }
    last = ctx.now().getTime();
  }

  async function get(path: string, params: URLSearchParams, connecting = false): Promise<unknown> {
    const url = `${base}/${path}?${params.toString()}`;
    for (let attempt = 1; ; attempt++) {
      await pace();
      let failure: CartError;
      let wait: number | null = null;
      const timer = AbortSignal.timeout(opts.timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
      try {
        const res = await ctx.fetch(url, { headers, signal });
        if (res.ok) {
          try {
            return await res.json();
          } catch (e) {
            if (timer.aborted) throw e;
            throw new CartError(
              'malformed',
              `${cart.label}: ${path} の応答がJSONではありません`,
              undefined,
              {
                cause: e,
              },
            );
          }
        }
        await res.body?.cancel();
        if (res.status === 401 || res.status === 403)
          throw connecting
            ? new CartError(
                'bad_credentials',
                `${cart.label}が${secret}を受け付けません${cart.refusedHint ? `。${cart.refusedHint}` : ''}`,
                cart.secretField,
              )
            : new CartError(
                'revoked',
                `${cart.label}が${secret}を拒否しました。再接続してください`,
              );
        if (res.status === 404)
          throw new CartError(
            'not_found',
            `${cart.label}のAPIが見つかりません (${cart.domain(ctx.credentials)})`,
            cart.domainField,
          );
        if (res.status === 429) {
          failure = new CartError('rate_limited', `${cart.label}のAPI利用制限に達しました`);
          wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
        } else if (res.status >= 500) {
          failure = new CartError(
            'unavailable',
            `${cart.label}が応答できません (HTTP ${res.status})`,
          );
        } else {
          throw new CartError('malformed', `${cart.label} refused ${path} (HTTP ${res.status})`);
        }
      } catch (e) {
        if (e instanceof CartError) throw e;
        if (ctx.signal?.aborted) throw e;
        if (isDnsFailure(e))
          throw new CartError(
            'not_found',
            `ショップのドメインが見つかりません (${cart.domain(ctx.credentials)})`,
            cart.domainField,
            { cause: e },
          );
        failure = new CartError(
          'unavailable',
          timer.aborted
            ? `${cart.label}が${opts.timeoutMs / 1000}秒以内に応答しませんでした`
            : `${cart.label}に接続できません`,
          undefined,
          { cause: e },
        );
      }
      if (attempt >= opts.maxAttempts) throw failure;
      await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }

  return { get };
}

/** One list of a cart read by update time: how to ask for a page and how to read it. */
export interface UpdatedList<T> {
  path: string;
  /** Records per page asked for; a shorter page ends the listing. */
  pageSize: number;
  /** The query for page `page` (1-based) of the records updated at or after `from` (wire form). */
  params(from: string | null, page: number): URLSearchParams;
  /** The records of an answer, or an error message when it is not the cart's list envelope. */
  records(doc: unknown): unknown[] | string;
  /** A record's id and updated-at as the wire writes them; null when it has none readable. */
  key(record: unknown): { id: string; updated: string } | null;
  /** The wire updated-at → epoch ms (only ever given strings `key` returned). */
  time(updated: string): number;
  /** Turns one record into Kizuna's model; throws (with a reason) when it cannot. */
  read(record: unknown): T;
}

interface Position {
  u: string;
  t: number;
  id: string;
}
const cursorSchema = z.object({ u: z.string().min(1), id: z.string().min(1) });

/** Ids compare as numbers when both are digits (the carts' ids are serials), else as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
const passed = (p: Position, at: Position) =>
  p.t < at.t || (p.t === at.t && compareIds(p.id, at.id) <= 0);

/**
 * Keyset paging over page numbers: each request asks for updated-at ≥ the last record passed and
 * drops what was already passed, so records edited mid-sync (which jump to the end of the order)
 * cannot shift a page over unseen ones. Only a run of more than a page of records sharing one
 * updated-at is walked with page numbers. The cursor is the (updated-at, id) of the last record
 * passed, written only after its page, so a resumed sync starts exactly after it.
 */
export async function* syncByUpdate<T>(
  label: string,
  get: (path: string, params: URLSearchParams) => Promise<unknown>,
  list: UpdatedList<T>,
  cursor: string | null,
): AsyncGenerator<Page<T>> {
  const position = (record: unknown): Position | null => {
    const k = list.key(record);
    if (!k) return null;
    const t = list.time(k.updated);
    return Number.isFinite(t) ? { u: k.updated, t, id: k.id } : null;
  };
  let at: Position | null = null;
  if (cursor !== null) {
    let parsed: z.ZodSafeParseResult<{ u: string; id: string }>;
    try {
      parsed = cursorSchema.safeParse(JSON.parse(cursor));
    } catch {
      parsed = cursorSchema.safeParse(null);
    }
    const t = parsed.success ? list.time(parsed.data.u) : NaN;
    if (!parsed.success || !Number.isFinite(t))
      throw new CartError('malformed', `${label} cursor not understood: ${cursor}`);
    at = { ...parsed.data, t };
  }
  let page = 1;
  for (;;) {
    const records = list.records(await get(list.path, list.params(at?.u ?? null, page)));
    if (typeof records === 'string')
      throw new CartError('malformed', `${label} ${list.path}: ${records}`);
    const items: T[] = [];
    const skipped: SkippedRecord[] = [];
    let last = at;
    for (const record of records) {
      const p = position(record);
      if (p && at && passed(p, at)) continue;
      try {
        items.push(list.read(record));
      } catch (e) {
        skipped.push({
          externalId: list.key(record)?.id ?? null,
          reason:
            e instanceof z.ZodError
              ? z.prettifyError(e)
              : e instanceof Error
                ? e.message
                : String(e),
        });
      }
      if (p) last = p;
    }
    if (items.length > 0 || skipped.length > 0)
      yield { items, skipped, cursor: last && JSON.stringify({ u: last.u, id: last.id }) };
    if (records.length < list.pageSize) return;
    const tail = position(records.at(-1));
    if (!tail)
      throw new CartError('malformed', `${label} ${list.path}: last record has no id/updated-at`);
    if (at && tail.t === at.t) page++;
    else {
      at = tail;
      page = 1;
    }
  }
}

/**
 * A whole connector for a cart of this kind: its credentials name the shop by `shopDomain`, and it
 * lists customers, orders and subscriptions by update time. Each cart gives only its wire.
 */
export function restConnector<C extends { shopDomain: string }>(spec: {
  kind: CartKind;
  credentials: z.ZodType<C>;
  cart: RestCart<C>;
  lists: {
    customers: UpdatedList<CartCustomer>;
    orders: UpdatedList<CartOrder>;
    subscriptions: UpdatedList<CartSubscription>;
  };
  adminCustomerUrl(shopDomain: string, customerId: string): string;
  options: Partial<RestOptions>;
}): CartConnector<C> {
  const opts: RestOptions = {
    timeoutMs: spec.options.timeoutMs ?? 30_000,
    maxAttempts: spec.options.maxAttempts ?? 6,
    minIntervalMs: spec.options.minIntervalMs ?? 1000,
  };
  const sync = <T>(ctx: ConnectorContext<C>, list: UpdatedList<T>, cursor: string | null) => {
    const { get } = restSession(ctx, spec.cart, opts);
    return syncByUpdate(spec.cart.label, (path, params) => get(path, params), list, cursor);
  };
  return {
    kind: spec.kind,
    credentials: spec.credentials,
    async verify(ctx) {
      const params = spec.lists.customers.params(null, 1);
      params.set('limit', '1');
      await restSession(ctx, spec.cart, opts).get(spec.lists.customers.path, params, true);
    },
    customers: (ctx, cursor) => sync(ctx, spec.lists.customers, cursor),
    orders: (ctx, cursor) => sync(ctx, spec.lists.orders, cursor),
    subscriptions: (ctx, cursor) => sync(ctx, spec.lists.subscriptions, cursor),
    storeKey: (creds) => creds.shopDomain.toLowerCase(),
    customerAdminUrl: (creds, customer) =>
      spec.adminCustomerUrl(creds.shopDomain, customer.externalId),
  };
}
