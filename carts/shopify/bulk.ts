// The first full import through bulk operations: one export per list instead of thousands of
// paged queries. Shopify runs one bulk query at a time per shop, so customers then orders. The
// JSONL holds one line per node; line items come as their own lines after their order, with
// `__parentId`, and are put back on it before mapping.
import type { CartCustomer, CartOrder } from '../../crm/cart.ts';
import { CartError, type ConnectorContext, type Page, type SkippedRecord } from '../connector.ts';
import { graphql, type ClientOptions, type ShopifyCredentials } from './client.ts';
import { customerNode, mapCustomer, mapOrder, orderNode } from './map.ts';
import {
  BULK_CUSTOMERS_QUERY,
  BULK_ORDERS_QUERY,
  BULK_POLL_QUERY,
  BULK_RUN_MUTATION,
} from './queries.ts';

export type BulkPage =
  { kind: 'customers'; page: Page<CartCustomer> } | { kind: 'orders'; page: Page<CartOrder> };

type Ctx = ConnectorContext<ShopifyCredentials>;
type Json = Record<string, unknown>;

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  url: string | null;
  createdAt: string;
}

const BULK_PAGE = 250;

async function runBulk(ctx: Ctx, opts: ClientOptions, query: string): Promise<BulkOperation> {
  const started = await graphql<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string } | null;
      userErrors: Array<{ message: string }>;
    };
  }>(ctx, opts, BULK_RUN_MUTATION, { query });
  const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
  if (!bulkOperation) {
    // Most often another app's bulk query is running: worth retrying later, not a bad token.
    throw new CartError(
      'unavailable',
      `Shopify refused the bulk export: ${userErrors.map((e) => e.message).join('; ')}`,
    );
  }
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
    await ctx.sleep(wait);
    const polled = await graphql<{ currentBulkOperation: BulkOperation | null }>(
      ctx,
      opts,
      BULK_POLL_QUERY,
    );
    const op = polled.currentBulkOperation;
    if (!op || op.id !== bulkOperation.id) {
      throw new CartError('unavailable', 'The bulk export was replaced by another operation');
    }
    if (op.status === 'COMPLETED') return op;
    if (op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'EXPIRED') {
      if (op.errorCode === 'ACCESS_DENIED') {
        throw new CartError(
          'bad_credentials',
          'The access token may not read this data',
          'accessToken',
        );
      }
      throw new CartError(
        'unavailable',
        `The bulk export ended ${op.status} (${op.errorCode ?? 'no code'})`,
      );
    }
  }
}

async function* jsonLines(ctx: Ctx, url: string): AsyncIterable<Json> {
  // A signed storage URL: no Shopify token goes with it.
  const res = await ctx.fetch(url, { signal: ctx.signal ?? null });
  if (!res.ok || !res.body)
    throw new CartError('unavailable', `Bulk result download failed: HTTP ${res.status}`);
  let buffered = '';
  for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as Json;
  }
  if (buffered.trim()) yield JSON.parse(buffered) as Json;
}

/** Groups children under their parents; a parent is complete once the next parent starts. */
async function* parents(lines: AsyncIterable<Json>): AsyncIterable<Json> {
  let open: Json | null = null;
  for await (const line of lines) {
    const parentId = line.__parentId;
    if (typeof parentId !== 'string') {
      if (open) yield open;
      open = { ...line, lineItems: { nodes: [] } };
    } else if (open && open.id === parentId) {
      const { __parentId: _, ...child } = line;
      (open.lineItems as { nodes: Json[] }).nodes.push(child);
    }
  }
  if (open) yield open;
}

async function* pagesOf<T>(
  nodes: AsyncIterable<Json>,
  map: (n: Json) => T,
  finalCursor: string,
): AsyncIterable<Page<T>> {
  let items: T[] = [];
  let skipped: SkippedRecord[] = [];
  const flush = (cursor: string | null) => {
    const page = { items, skipped, cursor };
    items = [];
    skipped = [];
    return page;
  };
  for await (const n of nodes) {
    try {
      items.push(map(n));
    } catch (e) {
      skipped.push({ externalId: typeof n.id === 'string' ? n.id : null, reason: String(e) });
    }
    // A bulk file cannot be resumed half-way: until the last page, a stored cursor restarts it.
    if (items.length + skipped.length >= BULK_PAGE) yield flush(null);
  }
  yield flush(finalCursor);
}

export async function* bulkCustomersAndOrders(
  ctx: Ctx,
  opts: ClientOptions,
): AsyncIterable<BulkPage> {
  const lists = [
    { kind: 'customers', query: BULK_CUSTOMERS_QUERY, gid: 'Customer' },
    { kind: 'orders', query: BULK_ORDERS_QUERY, gid: 'Order' },
  ] as const;
  for (const list of lists) {
    const op = await runBulk(ctx, opts, list.query);
    // Whatever changed after the export began is the incremental sync's, from this cursor on.
    const cursor = JSON.stringify({ u: op.createdAt, id: `gid://shopify/${list.gid}/0` });
    const lines = op.url ? jsonLines(ctx, op.url) : (async function* () {})();
    switch (list.kind) {
      case 'customers': {
        const map = (n: Json) => mapCustomer(customerNode.parse(n));
        for await (const page of pagesOf(lines, map, cursor)) yield { kind: 'customers', page };
        break;
      }
      case 'orders': {
        const map = (n: Json) => mapOrder(orderNode.parse(n));
        for await (const page of pagesOf(parents(lines), map, cursor))
          yield { kind: 'orders', page };
        break;
      }
      default: {
        const never: never = list;
        throw new Error(`unknown list ${String(never)}`);
      }
    }
  }
}
