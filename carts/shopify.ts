// Shopify connector: Admin GraphQL 2025-01 over fetch. The first import of customers and orders
// reads a bulk export (shopify/bulk.ts); after it they are read incrementally (sortKey
// UPDATED_AT + `updated_at:>=` filter) and resumed exactly from the (updatedAt, id) of the last
// record handed out; subscription contracts, which Shopify cannot
// sort by updated_at, resume from their Relay cursor. Webhooks live in shopify/webhooks.ts.
import { z } from 'zod';
import type { CartCustomer, CartOrder, CartSubscription } from '../crm/cart.ts';
import type { CartConnector, ConnectorContext, Page, SkippedRecord } from './connector.ts';
import { graphql, type ClientOptions, type ShopifyCredentials } from './shopify/client.ts';
import { completeLineItems } from './shopify/line-items.ts';
import {
  customerNode,
  mapCustomer,
  mapOrder,
  mapSubscription,
  orderNode,
  subscriptionNode,
} from './shopify/map.ts';
import {
  CUSTOMER_PAGE_SIZE,
  CUSTOMERS_QUERY,
  ORDER_LINE_ITEMS,
  ORDER_PAGE_SIZE,
  ORDERS_QUERY,
  SUBSCRIPTION_PAGE_SIZE,
  SUBSCRIPTIONS_QUERY,
  VERIFY_QUERY,
} from './shopify/queries.ts';
import { shopifyProducts } from './shopify/products.ts';
import { shopifyWebhooks } from './shopify/webhooks.ts';

import {
  bulkCustomers,
  bulkOrders,
  isBulkCursor,
  type BulkCursor,
  type BulkOptions,
} from './shopify/bulk.ts';

export type { ShopifyCredentials } from './shopify/client.ts';

export interface ShopifyOptions extends BulkOptions {
  /**
   * How a list with no cursor is read: a bulk operation (the default: one export instead of
   * thousands of paged queries) or paged queries from the start.
   */
  firstImport: 'bulk' | 'paged';
}

export const shopifyCredentials = z.object({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/,
      'Enter the store domain, e.g. your-shop.myshopify.com',
    ),
  accessToken: z.string().trim().min(1),
  /** The app's client secret: only needed to verify webhooks. */
  webhookSecret: z.string().trim().min(1).optional(),
});

type Ctx = ConnectorContext<ShopifyCredentials>;

const DEFAULT_OPTIONS: ShopifyOptions = {
  timeoutMs: 30_000,
  attempts: 8,
  firstImport: 'bulk',
  bulkPageSize: 250,
};

interface Connection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: unknown[];
}

/** Where a customers/orders sync stands: the last record handed out. */
interface Position {
  u: string;
  id: string;
}

function decodePosition(cursor: string | null): Position | null {
  if (!cursor) return null;
  const p = JSON.parse(cursor) as Partial<Position>;
  if (typeof p.u !== 'string' || typeof p.id !== 'string') throw new Error(`bad cursor ${cursor}`);
  return p as Position;
}

const numericId = (gid: string) => BigInt(/(\d+)$/.exec(gid)?.[1] ?? '0');

/** Shopify orders UPDATED_AT ties by id, so (updatedAt, id) is a total order. */
function isAfter(a: Position, b: Position): boolean {
  const d = Date.parse(a.u) - Date.parse(b.u);
  return d !== 0 ? d > 0 : numericId(a.id) > numericId(b.id);
}

function positionOf(node: unknown): Position | null {
  const n = node as { updatedAt?: unknown; id?: unknown } | null;
  return n && typeof n.updatedAt === 'string' && typeof n.id === 'string'
    ? { u: n.updatedAt, id: n.id }
    : null;
}

async function* incremental<T>(
  ctx: Ctx,
  opts: ClientOptions,
  read: { doc: string; root: string; vars: Record<string, unknown> },
  map: (node: unknown) => T | Promise<T>,
  cursor: string | null,
): AsyncIterable<Page<T>> {
  const from = decodePosition(cursor);
  // `>=`, not `>`: several records can share the last second; isAfter drops those already seen.
  const query = from ? `updated_at:>='${from.u}'` : null;
  let last = from;
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Connection> = await graphql<Record<string, Connection>>(
      ctx,
      opts,
      read.doc,
      {
        ...read.vars,
        after,
        query,
      },
    );
    const conn: Connection = data[read.root]!;
    const items: T[] = [];
    const skipped: SkippedRecord[] = [];
    for (const node of conn.nodes) {
      const at = positionOf(node);
      if (at && from && !isAfter(at, from)) continue;
      try {
        items.push(await map(node));
      } catch (e) {
        skipped.push({
          externalId: at?.id ?? null,
          reason: e instanceof Error ? e.message : String(e),
        });
      }
      if (at) last = at;
    }
    if (items.length > 0 || skipped.length > 0) {
      yield { items, skipped, cursor: last ? JSON.stringify(last) : null };
    }
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return;
    after = conn.pageInfo.endCursor;
  }
}

/**
 * Subscription sync state. A finished pass leaves `since` (the latest updatedAt it saw) and `seen`
 * (the ids at exactly that instant, which the next `>=` pass skips); a pass in progress also
 * keeps its Relay cursor and the running maximum.
 */
interface SubscriptionCursor {
  since: string | null;
  seen: string[];
  after?: string | null;
  max?: string | null;
  maxSeen?: string[];
}

async function* subscriptionPages(
  ctx: Ctx,
  opts: ClientOptions,
  cursor: string | null,
): AsyncIterable<Page<CartSubscription>> {
  const start: SubscriptionCursor = cursor
    ? (JSON.parse(cursor) as SubscriptionCursor)
    : { since: null, seen: [] };
  // No sortKey on subscriptionContracts: a pass pages by id through everything changed since the
  // last pass, and its Relay cursor is the resume point until the pass ends.
  const query = start.since ? `updated_at:>='${start.since}'` : null;
  const sinceMs = start.since ? Date.parse(start.since) : null;
  let after = start.after ?? null;
  let max = start.max ?? start.since;
  let maxSeen = [...(start.maxSeen ?? start.seen)];
  for (;;) {
    const data: { subscriptionContracts: Connection } = await graphql(
      ctx,
      opts,
      SUBSCRIPTIONS_QUERY,
      {
        first: SUBSCRIPTION_PAGE_SIZE,
        after,
        query,
      },
    );
    const conn = data.subscriptionContracts;
    const items: CartSubscription[] = [];
    const skipped: SkippedRecord[] = [];
    for (const node of conn.nodes) {
      const parsed = subscriptionNode.safeParse(node);
      if (!parsed.success) {
        skipped.push({ externalId: positionOf(node)?.id ?? null, reason: parsed.error.message });
        continue;
      }
      const { id, updatedAt } = parsed.data;
      const at = Date.parse(updatedAt);
      if (at === sinceMs && start.seen.includes(id)) continue;
      items.push(mapSubscription(parsed.data));
      const top = max ? Date.parse(max) : -Infinity;
      if (at > top) [max, maxSeen] = [updatedAt, [id]];
      else if (at === top && !maxSeen.includes(id)) maxSeen.push(id);
    }
    const more = conn.pageInfo.hasNextPage && conn.pageInfo.endCursor;
    after = more ? conn.pageInfo.endCursor : null;
    const next: SubscriptionCursor = more
      ? { since: start.since, seen: start.seen, after, max, maxSeen }
      : { since: max ?? null, seen: maxSeen };
    if (items.length > 0 || skipped.length > 0) {
      yield { items, skipped, cursor: JSON.stringify(next) };
    }
    if (!more) return;
  }
}

function strictMap<S extends z.ZodType, T>(schema: S, map: (n: z.infer<S>) => T) {
  return (node: unknown): T => {
    const r = schema.safeParse(node);
    if (!r.success)
      throw new Error(`unreadable record: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return map(r.data);
  };
}

/**
 * A list's cursor decides how it is read: none, the first import (a bulk export unless paged);
 * a bulk cursor, the rest of that export; a position, the changes since.
 */
function readList<T>(
  opts: ShopifyOptions,
  cursor: string | null,
  bulk: (from: BulkCursor | null) => AsyncIterable<Page<T>>,
  paged: (cursor: string | null) => AsyncIterable<Page<T>>,
): AsyncIterable<Page<T>> {
  if (cursor === null) return opts.firstImport === 'bulk' ? bulk(null) : paged(null);
  const parsed: unknown = JSON.parse(cursor);
  return isBulkCursor(parsed) ? bulk(parsed) : paged(cursor);
}

export function createShopifyConnector(
  options: Partial<ShopifyOptions> = {},
): CartConnector<ShopifyCredentials> {
  const opts: ShopifyOptions = { ...DEFAULT_OPTIONS, ...options };
  return {
    kind: 'shopify',
    credentials: shopifyCredentials,
    async verify(ctx) {
      await graphql(ctx, opts, VERIFY_QUERY);
    },
    customers: (ctx, cursor): AsyncIterable<Page<CartCustomer>> =>
      readList(
        opts,
        cursor,
        (from) => bulkCustomers(ctx, opts, from),
        (position) =>
          incremental(
            ctx,
            opts,
            { doc: CUSTOMERS_QUERY, root: 'customers', vars: { first: CUSTOMER_PAGE_SIZE } },
            strictMap(customerNode, mapCustomer),
            position,
          ),
      ),
    orders: (ctx, cursor): AsyncIterable<Page<CartOrder>> =>
      readList(
        opts,
        cursor,
        (from) => bulkOrders(ctx, opts, from),
        (position) =>
          incremental(
            ctx,
            opts,
            {
              doc: ORDERS_QUERY,
              root: 'orders',
              vars: { first: ORDER_PAGE_SIZE, lineItems: ORDER_LINE_ITEMS },
            },
            async (node) =>
              strictMap(orderNode, mapOrder)(await completeLineItems(ctx, opts, node)),
            position,
          ),
      ),
    subscriptions: (ctx, cursor) => subscriptionPages(ctx, opts, cursor),
    products: (ctx) => shopifyProducts(ctx, opts),
    storeKey: (credentials) => credentials.shopDomain.toLowerCase(),
    customerAdminUrl(credentials, customer) {
      const handle = credentials.shopDomain.replace(/\.myshopify\.com$/, '');
      const id = customer.number ?? /(\d+)$/.exec(customer.externalId)?.[1] ?? customer.externalId;
      return `https://admin.shopify.com/store/${handle}/customers/${id}`;
    },
    webhooks: shopifyWebhooks,
  };
}

export const shopify = createShopifyConnector();
