// One Admin GraphQL request with Shopify's failure modes handled: the calculated-cost bucket
// (wait before a query the bucket cannot pay for; retry THROTTLED after the refill), 5xx and
// timeouts retried with backoff, and auth / unknown-shop answers turned into CartErrors.
import { CartError, type ConnectorContext } from '../connector.ts';
import { API_VERSION, REQUESTED_COST } from './queries.ts';

export interface ShopifyCredentials {
  shopDomain: string;
  accessToken: string;
  webhookSecret?: string | undefined;
}

export interface ClientOptions {
  /** Per attempt; a hung request counts as a 5xx. */
  timeoutMs: number;
  attempts: number;
}

interface CostExtension {
  requestedQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** What the bucket held at the last answer, per connection context (shared by all its syncs). */
interface Bucket {
  available: number;
  maximum: number;
  restoreRate: number;
  at: number;
  /** requestedQueryCost last seen per document, the estimate for its next run. */
  costs: Map<string, number>;
}

const buckets = new WeakMap<object, Bucket>();

export function endpoint(ctx: ConnectorContext<ShopifyCredentials>): string {
  const base = ctx.baseUrl ?? `https://${ctx.credentials.shopDomain}`;
  return `${base.replace(/\/$/, '')}/admin/api/${API_VERSION}/graphql.json`;
}

async function waitForBucket(ctx: ConnectorContext<ShopifyCredentials>, doc: string) {
  const b = buckets.get(ctx);
  const need = b?.costs.get(doc) ?? REQUESTED_COST.get(doc);
  if (!b || need === undefined) return;
  const elapsed = (ctx.now().getTime() - b.at) / 1000;
  const have = Math.min(b.maximum, b.available + elapsed * b.restoreRate);
  if (have >= need) return;
  // One point of slack: Shopify's clock runs a little ahead of ours by the request's travel time,
  // and a bucket refilled to exactly the cost must not lose it to rounding.
  await ctx.sleep(Math.ceil(((need + 1 - have) / b.restoreRate) * 1000));
}

function remember(ctx: ConnectorContext<ShopifyCredentials>, doc: string, cost?: CostExtension) {
  const t = cost?.throttleStatus;
  if (!t) return;
  const b: Bucket = buckets.get(ctx) ?? {
    costs: new Map<string, number>(),
    available: 0,
    maximum: 0,
    restoreRate: 1,
    at: 0,
  };
  Object.assign(b, {
    available: t.currentlyAvailable,
    maximum: t.maximumAvailable,
    restoreRate: t.restoreRate,
    at: ctx.now().getTime(),
  });
  if (cost.requestedQueryCost !== undefined) b.costs.set(doc, cost.requestedQueryCost);
  buckets.set(ctx, b);
}

function backoff(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** attempt);
}

export async function graphql<T>(
  ctx: ConnectorContext<ShopifyCredentials>,
  opts: ClientOptions,
  doc: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < opts.attempts; attempt++) {
    await waitForBucket(ctx, doc);
    let res: Response;
    try {
      const signal = ctx.signal
        ? AbortSignal.any([ctx.signal, AbortSignal.timeout(opts.timeoutMs)])
        : AbortSignal.timeout(opts.timeoutMs);
      res = await ctx.fetch(endpoint(ctx), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-shopify-access-token': ctx.credentials.accessToken,
        },
        body: JSON.stringify({ query: doc, variables }),
        signal,
      });
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      last = e;
      await ctx.sleep(backoff(attempt));
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      throw new CartError(
        'bad_credentials',
        res.status === 401
          ? 'Shopify refused the Admin API access token'
          : 'The Admin API access token lacks a required scope (read_customers, read_orders)',
        'accessToken',
      );
    }
    if (res.status === 404) {
      throw new CartError(
        'not_found',
        `No Shopify store at ${ctx.credentials.shopDomain}`,
        'shopDomain',
      );
    }
    if (res.status >= 500 || res.status === 429) {
      last = new Error(`HTTP ${res.status}`);
      await res.body?.cancel();
      await ctx.sleep(res.status === 429 ? 1000 : backoff(attempt));
      continue;
    }
    let body: { data?: T; errors?: GraphQLError[]; extensions?: { cost?: CostExtension } };
    try {
      body = (await res.json()) as typeof body;
    } catch (e) {
      throw new CartError(
        'malformed',
        `Shopify answered HTTP ${res.status} without JSON`,
        undefined,
        {
          cause: e,
        },
      );
    }
    remember(ctx, doc, body.extensions?.cost);
    const errors = body.errors ?? [];
    if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
      // remember() recorded the drained bucket, so waitForBucket sleeps exactly enough; the floor
      // covers an answer without a usable throttleStatus.
      last = new CartError('rate_limited', 'Shopify throttled the query');
      await ctx.sleep(1000);
      continue;
    }
    if (errors.some((e) => e.extensions?.code === 'ACCESS_DENIED')) {
      throw new CartError('bad_credentials', errors[0]!.message, 'accessToken');
    }
    if (errors.length > 0 || body.data === undefined) {
      throw new CartError(
        'malformed',
        `Shopify refused the query: ${errors.map((e) => e.message).join('; ') || 'no data'}`,
      );
    }
    return body.data;
  }
  if (last instanceof CartError) throw last;
  throw new CartError(
    'unavailable',
    `Shopify did not answer after ${opts.attempts} attempts`,
    undefined,
    {
      cause: last,
    },
  );
}
