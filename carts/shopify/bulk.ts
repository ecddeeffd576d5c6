// The first full import of customers or orders through a bulk operation: one export per list
// instead of thousands of paged queries. The JSONL is read as it downloads, a line at a time, and
// handed out in pages, so memory stays flat however large the shop. Orders' line items come as
// lines of their own after their order, with `__parentId`, and are put back on it.
//
// Resuming. A page's cursor is {bulk: operation id, line: lines consumed}, always at an order
// boundary. Shopify keeps an export's file for a week, so an import killed mid-file reads the same
// file again by the operation's id and skips the lines already stored: no duplicates and no gaps,
// and no new export. Only when the export is gone (expired, failed, cancelled) does it start over
// with a new one; rows already stored are then upserted again unchanged (the upserts are
// idempotent and never go back in time). The first page of a new export carries no rows, only
// its id, so an import killed while Shopify is still writing the file waits for that same export.
// The last page hands over to the incremental sync as of the export's createdAt: anything changed
// since may be missing from the file, and `updated_at:>=` that instant reads it again.
import type { CartCustomer, CartOrder } from '../../crm/cart.ts';
import { CartError, type ConnectorContext, type Page, type SkippedRecord } from '../connector.ts';
import { graphql, type ClientOptions, type ShopifyCredentials } from './client.ts';
import { customerNode, mapCustomer, mapOrder, orderNode } from './map.ts';
import {
  BULK_CURRENT_QUERY,
  BULK_CUSTOMERS_QUERY,
  BULK_ORDERS_QUERY,
  BULK_POLL_QUERY,
  BULK_RUN_MUTATION,
} from './queries.ts';

type Ctx = ConnectorContext<ShopifyCredentials>;
type Json = Record<string, unknown>;

export interface BulkOptions extends ClientOptions {
  /**
   * Records a page. The import joins pages into transactions of its own size (joinPages), and
   * lets the event loop run between pages: small pages let the file be read while a commit runs.
   */
  bulkPageSize: number;
}

/** A first import inside its export: the operation and the JSONL lines already stored. */
export interface BulkCursor {
  bulk: string;
  line: number;
}

export function isBulkCursor(value: unknown): value is BulkCursor {
  const v = value as Partial<BulkCursor> | null;
  return typeof v?.bulk === 'string' && typeof v.line === 'number';
}

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  url: string | null;
  createdAt: string;
  query?: string;
}

const GONE = ['EXPIRED', 'CANCELED', 'CANCELING', 'FAILED'];

async function lookup(ctx: Ctx, opts: ClientOptions, id: string): Promise<BulkOperation | null> {
  const data = await graphql<{ node: BulkOperation | null }>(ctx, opts, BULK_POLL_QUERY, { id });
  return data.node?.id ? data.node : null;
}

/** How long an export waits for the app's other bulk query (the other list's) to end. */
const WAIT_FOR_OTHER_MS = 30 * 60_000;

async function start(ctx: Ctx, opts: ClientOptions, query: string): Promise<BulkOperation> {
  let waited = 0;
  let idleRefusals = 0;
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30_000)) {
    const started = await graphql<{
      bulkOperationRunQuery: {
        bulkOperation: BulkOperation | null;
        userErrors: Array<{ message: string }>;
      };
    }>(ctx, opts, BULK_RUN_MUTATION, { query });
    const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
    if (bulkOperation) return bulkOperation;
    const current = await graphql<{ currentBulkOperation: BulkOperation | null }>(
      ctx,
      opts,
      BULK_CURRENT_QUERY,
    );
    const op = current.currentBulkOperation;
    // An import that died between starting its export and storing the first cursor left this
    // very query running: carry on with it rather than wait for it to end.
    if (op && op.query === query && !GONE.includes(op.status)) return op;
    // Shopify runs one bulk query per app and shop: the one running is this connection's other
    // list (customers and orders import side by side). Wait for it, within reason; once it has
    // ended, ask again at once. Refused with nothing running, the refusal is not about waiting.
    const running = op?.status === 'CREATED' || op?.status === 'RUNNING';
    if ((!running && idleRefusals++ > 0) || waited >= WAIT_FOR_OTHER_MS) {
      throw new CartError(
        'unavailable',
        `Shopify refused the bulk export: ${userErrors.map((e) => e.message).join('; ')}`,
      );
    }
    if (!running) continue;
    await ctx.sleep(wait);
    waited += wait;
  }
}

async function finished(ctx: Ctx, opts: ClientOptions, op: BulkOperation): Promise<BulkOperation> {
  for (let wait = 250; op.status !== 'COMPLETED'; wait = Math.min(wait * 2, 30_000)) {
    if (GONE.includes(op.status)) {
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
    await ctx.sleep(wait);
    const polled = await lookup(ctx, opts, op.id);
    if (!polled) throw new CartError('unavailable', `The bulk export ${op.id} disappeared`);
    op = polled;
  }
  return op;
}

/** The file's non-blank lines, as they download. */
async function* jsonLines(ctx: Ctx, url: string): AsyncIterable<string> {
  // A signed storage URL: no Shopify token goes with it.
  let res: Response;
  try {
    res = await ctx.fetch(url, { signal: ctx.signal ?? null });
  } catch (e) {
    throw new CartError('unavailable', 'Bulk result download failed', undefined, { cause: e });
  }
  if (!res.ok || !res.body)
    throw new CartError('unavailable', `Bulk result download failed: HTTP ${res.status}`);
  let buffered = '';
  try {
    for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let from = 0;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n', from)) {
        const line = buffered.slice(from, nl);
        from = nl + 1;
        if (line.trim()) yield line;
      }
      buffered = buffered.slice(from);
    }
  } catch (e) {
    if (e instanceof CartError || ctx.signal?.aborted) throw e;
    // A broken download resumes from the last stored page, by line.
    throw new CartError('unavailable', 'Bulk result download broke off', undefined, { cause: e });
  }
  if (buffered.trim()) yield buffered;
}

interface ListSpec<T> {
  query: string;
  gid: string;
  map(node: Json): T;
}

const customersSpec: ListSpec<CartCustomer> = {
  query: BULK_CUSTOMERS_QUERY,
  gid: 'Customer',
  map: (n) => mapCustomer(customerNode.parse(n)),
};

const ordersSpec: ListSpec<CartOrder> = {
  query: BULK_ORDERS_QUERY,
  gid: 'Order',
  map: (n) => mapOrder(orderNode.parse(n)),
};

async function* bulkList<T>(
  ctx: Ctx,
  opts: BulkOptions,
  spec: ListSpec<T>,
  from: BulkCursor | null,
): AsyncIterable<Page<T>> {
  let op = from ? await lookup(ctx, opts, from.bulk) : null;
  let skip = from?.line ?? 0;
  if (!op || (GONE.includes(op.status) && op.errorCode !== 'ACCESS_DENIED')) {
    op = await start(ctx, opts, spec.query);
    skip = 0;
    yield { items: [], skipped: [], cursor: JSON.stringify({ bulk: op.id, line: 0 }) };
  }
  op = await finished(ctx, opts, op);
  const bulk = op.id;
  const final = JSON.stringify({ u: op.createdAt, id: `gid://shopify/${spec.gid}/0` });
  if (!op.url) {
    yield { items: [], skipped: [], cursor: final };
    return;
  }

  let items: T[] = [];
  let skipped: SkippedRecord[] = [];
  let open: Json | null = null;
  const close = () => {
    if (!open) return;
    try {
      items.push(spec.map(open));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      skipped.push({ externalId: typeof open.id === 'string' ? open.id : null, reason });
    }
    open = null;
  };
  const flush = (cursor: string): Page<T> => {
    const page = { items, skipped, cursor };
    items = [];
    skipped = [];
    return page;
  };
  let line = 0;
  for await (const text of jsonLines(ctx, op.url)) {
    const at = line++;
    if (at < skip) continue;
    const node = JSON.parse(text) as Json;
    const parentId = node.__parentId;
    if (typeof parentId === 'string') {
      // Bulk files list only line items under orders, each after its order. One that is not
      // would leave its order short of an item: say so rather than store it short in silence.
      if (open?.id === parentId) {
        delete node.__parentId;
        (open.lineItems as { nodes: Json[] }).nodes.push(node);
      } else {
        skipped.push({ externalId: parentId, reason: 'a line item apart from its order' });
      }
      continue;
    }
    close();
    // Lines before `at` are whole orders, all in pages handed out: a resume starts here.
    if (items.length + skipped.length >= opts.bulkPageSize)
      yield flush(JSON.stringify({ bulk, line: at }));
    open = spec.gid === 'Order' ? { ...node, lineItems: { nodes: [] } } : node;
  }
  close();
  yield flush(final);
}

export function bulkCustomers(
  ctx: Ctx,
  opts: BulkOptions,
  from: BulkCursor | null,
): AsyncIterable<Page<CartCustomer>> {
  return bulkList(ctx, opts, customersSpec, from);
}

export function bulkOrders(
  ctx: Ctx,
  opts: BulkOptions,
  from: BulkCursor | null,
): AsyncIterable<Page<CartOrder>> {
  return bulkList(ctx, opts, ordersSpec, from);
}
