// A faithful fake of one Shopify store's Admin GraphQL API (2025-01) for tests and the demo
// mode: every query is validated against the official schema and executed over in-memory
// customers, orders and subscription contracts, with Shopify's auth, cost-based leaky bucket,
// THROTTLED answers and Relay paging; plus the store's side of webhooks, signed like Shopify.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { listenApp } from './listen.ts';
import { createHangs } from './hang.ts';
import { Hono } from 'hono';
import { watchSpecViolations } from './line/guard.ts';
import { createBuilders, type Builders } from './shopify/builders.ts';
import { createBulk } from './shopify/bulk.ts';
import { jsonlStream } from './shopify/jsonl.ts';
import {
  handleGraphql,
  type Bucket,
  type LoggedRequest,
  type ShopifyFault,
  type SpecViolation,
} from './shopify/endpoint.ts';
import type { LazyShop, ShopData } from './cart-data.ts';
import { lazyRecords, seedStore } from './shopify/seed.ts';
import type { Store } from './shopify/store.ts';
import {
  createShopifyWebhookSender,
  type SentShopifyWebhook,
  type ShopifyWebhookOptions,
} from './shopify/webhook.ts';

export type * from './shopify/store.ts';
export type { LoggedRequest, ShopifyFault, SpecViolation } from './shopify/endpoint.ts';
export { restCustomerPayload, restOrderPayload, signShopifyWebhook } from './shopify/webhook.ts';
export { adminSchema, checkDocument } from './shopify/schema.ts';
export { contractGid, customerGid, orderGid, storedPhones } from './shopify/seed.ts';
export { requestedCost, MAX_QUERY_COST } from './shopify/cost.ts';

export interface FakeShopifyOptions {
  shopDomain?: string;
  accessToken?: string;
  /** The app's client secret, which signs webhooks. */
  webhookSecret?: string;
  /** The bucket's clock: share it with the connector's ctx.now/sleep to make waits instant. */
  now?: () => number;
  /** Defaults: 1000 points, 50 restored per second. */
  bucket?: { maximum?: number; restoreRate?: number };
  /** Polls of currentBulkOperation that still answer RUNNING; default 1. */
  bulkPolls?: number;
  /** For tests that send invalid queries on purpose. */
  expectSpecViolations?: boolean;
}

export interface FakeShopify {
  app: Hono;
  listen(port?: number): Promise<{ url: string; close(): Promise<void> }>;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  store: Store;
  add: Builders;
  /** Every GraphQL request, in order. */
  requests: LoggedRequest[];
  /** Requests answered THROTTLED. */
  readonly throttled: number;
  /** Queries the real Shopify refuses (schema, variables, cost, arguments): should stay empty. */
  specViolations: SpecViolation[];
  bucket: Bucket;
  inject(fault: ShopifyFault): void;
  /** The next `n` customers listed come back with an unreadable createdAt. */
  corruptNext(n?: number): void;
  /** Loads the shared Japanese shop data (test/fakes/cart-data.ts). */
  seed(data: ShopData): void;
  /** Serves a generated shop of any size, read by bulk operations only (benchmarks). */
  seedLazy(shop: LazyShop): void;
  /** Downloads of each bulk operation's file, by the operation's number. */
  bulkDownloads: ReadonlyMap<string, number>;
  webhooksSent: SentShopifyWebhook[];
  sendWebhook(
    url: string,
    topic: string,
    payload: unknown,
    opts?: ShopifyWebhookOptions,
  ): Promise<Response>;
  reset(): void;
}

export function createFakeShopify(opts: FakeShopifyOptions = {}): FakeShopify {
  const now = opts.now ?? Date.now;
  const shopDomain = opts.shopDomain ?? 'kizuna-test.myshopify.com';
  const accessToken = opts.accessToken ?? 'shpat_test_token';
  const webhookSecret = opts.webhookSecret ?? 'shpss_test_secret';
  const store: Store = {
    shop: { id: 'gid://shopify/Shop/1', name: 'きずな商店', myshopifyDomain: shopDomain },
    customers: new Map(),
    orders: new Map(),
    subscriptions: new Map(),
    corrupt: 0,
  };
  const maximum = opts.bucket?.maximum ?? 1000;
  const bucket: Bucket = {
    maximum,
    restoreRate: opts.bucket?.restoreRate ?? 50,
    available: maximum,
    at: now(),
  };
  const requests: LoggedRequest[] = [];
  const specViolations: SpecViolation[] = [];
  if (!opts.expectSpecViolations) watchSpecViolations(specViolations);
  const faults: Array<ShopifyFault & { left: number }> = [];
  const hangs = createHangs();
  const webhooksSent: SentShopifyWebhook[] = [];

  const bulk = createBulk(store, now, () => opts.bulkPolls ?? 1);
  const app = new Hono();
  // Shopify serves bulk results from signed storage URLs that need no token.
  app.get('/bulk/:file', (c) => {
    const file = bulk.file(c.req.param('file').replace(/\.jsonl$/, ''));
    if (file === undefined) return c.text('NoSuchKey', 404);
    const body =
      'path' in file
        ? (Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>)
        : jsonlStream(file.lines);
    return c.body(body, 200, { 'content-type': 'application/jsonl' });
  });
  app.post('/admin/api/:version/graphql.json', (c) =>
    handleGraphql(
      {
        store,
        bulk,
        accessToken,
        now,
        bucket,
        log: requests,
        specViolations,
        takeFault() {
          const f = faults[0];
          if (f && --f.left <= 0) faults.shift();
          return f;
        },
        hang: (ms) => hangs.hang(ms),
      },
      c,
    ),
  );
  app.all('*', (c) => c.json({ errors: 'Not Found' }, 404));

  const release = () => hangs.release();
  const listen = (port = 0) => listenApp(app, port, release);

  return {
    app,
    listen,
    shopDomain,
    accessToken,
    webhookSecret,
    store,
    add: createBuilders(store, now),
    requests,
    get throttled() {
      return requests.filter((r) => r.outcome === 'throttled').length;
    },
    specViolations,
    bucket,
    inject: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    corruptNext: (n = 1) => {
      store.corrupt += n;
    },
    seed: (data) => seedStore(store, data),
    seedLazy: (shop) => {
      store.lazy = lazyRecords(shop);
    },
    bulkDownloads: bulk.downloads,
    webhooksSent,
    sendWebhook: createShopifyWebhookSender(shopDomain, webhookSecret, webhooksSent),
    reset() {
      for (const list of [requests, specViolations, webhooksSent]) list.length = 0;
      faults.length = 0;
      release();
      store.customers.clear();
      store.orders.clear();
      store.subscriptions.clear();
      store.corrupt = 0;
      store.lazy = undefined;
      bulk.reset();
      Object.assign(bucket, { available: bucket.maximum, at: now() });
    },
  };
}
