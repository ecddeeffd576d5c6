// A fake store listening on a port, and a connector context pointed at it whose sleep advances
// the fake's clock: backoff and bucket waits take no wall time, and tests can read them back.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ConnectorContext, Page } from '../../../carts/connector.ts';
import { createShopifyConnector, type ShopifyCredentials } from '../../../carts/shopify.ts';
import type { ContractFault, ContractHarness } from '../../carts/contract.ts';
import { createFakeShopify, type FakeShopify, type FakeShopifyOptions } from '../shopify.ts';
import { contractGid, customerGid, orderGid, storedPhones } from './seed.ts';

export interface ShopifyHarness {
  fake: FakeShopify;
  url: string;
  clock: { t: number };
  /** Every ctx.sleep the connector asked for, in ms. */
  slept: number[];
  ctx(credentials?: Partial<ShopifyCredentials>): ConnectorContext<ShopifyCredentials>;
  close(): Promise<void>;
}

export async function startShopify(
  opts: FakeShopifyOptions = {},
  start = '2025-06-01T00:00:00Z',
  /** Let the clock also run with wall time, for callers whose sleeps do not advance it. */
  running = false,
): Promise<ShopifyHarness> {
  const clock = { t: Date.parse(start) };
  const t0 = Date.now();
  const now = running ? () => clock.t + (Date.now() - t0) : () => clock.t;
  const fake = createFakeShopify({ now, ...opts });
  const server = await fake.listen();
  const slept: number[] = [];
  return {
    fake,
    url: server.url,
    clock,
    slept,
    ctx: (credentials = {}) => ({
      credentials: {
        shopDomain: fake.shopDomain,
        accessToken: fake.accessToken,
        webhookSecret: fake.webhookSecret,
        ...credentials,
      },
      baseUrl: server.url,
      fetch: (input, init) => fetch(input, init),
      sleep: async (ms) => {
        slept.push(ms);
        clock.t += ms;
      },
      now: () => new Date(now()),
    }),
    close: () => server.close(),
  };
}

export async function collect<T>(
  pages: AsyncIterable<Page<T>>,
  limit = Infinity,
): Promise<Page<T>[]> {
  const out: Page<T>[] = [];
  for await (const page of pages) {
    out.push(page);
    if (out.length >= limit) break;
  }
  return out;
}

/** The shared connector contract (test/carts/contract.ts) around the fake store. */
export async function shopifyContractHarness(): Promise<ContractHarness<ShopifyCredentials>> {
  // The contract's sleeps do not move the clock, so it runs on wall time, with a bucket so large
  // and quick that only injected throttles bite; the cost-based waits have their own tests.
  const h = await startShopify(
    { bucket: { maximum: 1e9, restoreRate: 1e6 } },
    '2026-11-23T00:00:00Z',
    true,
  );
  const ctx = h.ctx();
  return {
    // Pages of 100 so the suite's 400 customers come in several, as they do paged.
    connector: createShopifyConnector({ timeoutMs: 300, bulkPageSize: 100 }),
    ctx,
    wrongCredentials: {
      credentials: { ...ctx.credentials, accessToken: 'shpat_wrong' },
      field: 'accessToken',
    },
    seed: (data) => h.fake.seed(data),
    failNext(kind: ContractFault, times = 1) {
      switch (kind) {
        case 'bad_credentials':
          return h.fake.inject({ status: 401, times });
        case 'rate_limit':
          return h.fake.inject({ throttled: true, times });
        case 'server_error':
          return h.fake.inject({ status: 503, times });
        case 'timeout':
          return h.fake.inject({ timeoutMs: 2_000, times });
        case 'malformed_record':
          return h.fake.corruptNext(times);
        default: {
          const never: never = kind;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
    },
    touch(ids) {
      const latest = Math.max(
        ...[...h.fake.store.customers.values()].map((c) => Date.parse(c.updatedAt)),
      );
      h.clock.t = Math.max(h.clock.t, latest) + 1000;
      for (const id of ids) h.fake.add.touch(customerGid(id));
    },
    close: () => h.close(),
    customerId: (c) => customerGid(c.id),
    orderId: (o) => orderGid(o.id),
    subscriptionId: (s) => contractGid(s.id),
    storedPhones,
    holds: { birthday: false, lineUserId: false },
  };
}

/** Serves an app on a free port (a webhook receiver in tests). */
export async function listen(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const s = await new Promise<Server>((resolve) => {
    const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(srv as Server),
    );
  });
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => s.close(() => resolve())),
  };
}
