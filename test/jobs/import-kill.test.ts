// An import process killed (SIGKILL) part-way through, then started again: the rows end up exactly
// the cart's (no duplicates, no gaps), and the second run resumes from the stored cursor instead
// of starting over. Over real HTTP, against the cart fakes, on PGlite or PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionRepository } from '../../db/connections.ts';
import { createDb, type Db } from '../../db/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { generateShop } from '../fakes/cart-data.ts';
import { createFakeEcforce } from '../fakes/ecforce.ts';
import { listenApp } from '../fakes/listen.ts';
import { createFakeShopify, customerGid, orderGid } from '../fakes/shopify.ts';
import { insertBot } from '../helpers/carts.ts';
import { openTestDb } from '../helpers/db.ts';
import { spawnKizuna, type ServerProcess } from '../helpers/server-process.ts';
import { waitFor } from '../helpers/wait.ts';

const SHOP = generateShop(4242, 600, { ordersPerCustomer: 5 });
const running: ServerProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const c of cleanups.reverse()) await c();
});

/** A database the importer processes can open one after the other, and the env to reach it. */
async function database(): Promise<{ env: Record<string, string>; open(): Promise<Db> }> {
  const t = await openTestDb();
  if (t.url) {
    cleanups.push(() => t.close());
    return { env: { DATABASE_URL: t.url }, open: async () => t.db };
  }
  // Embedded: one process at a time, so this one closes it before the importers run.
  await t.close();
  const dataDir = await mkdtemp(join(tmpdir(), 'kizuna-import-kill-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const open = async () => {
    const db = await createDb({ kind: 'pglite', dataDir });
    const { migrateToLatest } = await import('../../db/migrate.ts');
    await migrateToLatest(db.kysely);
    return db;
  };
  return { env: { DATA_DIR: dataDir }, open };
}

/** Slows every answer of a fake, so the kill lands in the middle of the import. */
function slowed(app: Hono, ms: number): Hono {
  const outer = new Hono();
  outer.all('*', async (c) => {
    await new Promise((r) => setTimeout(r, ms));
    const res = await app.fetch(c.req.raw);
    if (!res.body) return res;
    // Bulk files trickle: a pause every chunk.
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        await new Promise((r) => setTimeout(r, ms));
        controller.enqueue(value);
      },
      cancel: () => reader.cancel(),
    });
    return new Response(body, res);
  });
  return outer;
}

async function importer(env: Record<string, string>): Promise<ServerProcess> {
  const p = spawnKizuna(env, 'test/helpers/import-process.ts');
  running.push(p);
  return p;
}

async function killMidImport(options: {
  cart: 'shopify' | 'ecforce';
  app: Hono;
  credentials: object;
  pageSize?: number;
  /** Holds once the import is part-way through its orders. */
  partWay(): boolean;
  /** Pause before each answer and each chunk of a streamed answer. */
  slowMs?: number;
  /** The cart's count of page requests, read when the first importer is killed. */
  requests?(): number;
}): Promise<{ db: Db; connectionId: string; cursorAtKill: string | null; atKill: number }> {
  const server = await listenApp(slowed(options.app, options.slowMs ?? 5));
  cleanups.push(() => server.close());
  const { env, open } = await database();
  const key = SecretBox.generateKey();
  let db = await open();
  await insertBot(db, 'shop');
  const connection = (await new ConnectionRepository(
    db.kysely,
    await SecretBox.fromBase64Key(key),
  ).create({
    botId: 'shop',
    cart: options.cart,
    name: options.cart,
    credentials: options.credentials,
    baseUrl: server.url,
  }))!;
  if (env.DATA_DIR) await db.close();
  const childEnv = {
    ...env,
    CONNECTION_ID: connection.id,
    SECRET_KEY: key,
    PAGE_SIZE: String(options.pageSize ?? 2000),
  };

  const first = await importer(childEnv);
  await waitFor(() => {
    if (first.child.exitCode !== null) throw new Error(`importer exited:\n${first.output()}`);
    return first.output().includes('imported customers') && options.partWay();
  }, 30_000);
  first.child.kill('SIGKILL');
  await first.exited;
  const atKill = options.requests?.() ?? 0;
  expect(first.output()).not.toContain('done');

  if (env.DATA_DIR) db = await open();
  const cursorAtKill = await cursor(db, connection.id);
  if (env.DATA_DIR) await db.close();
  const second = await importer(childEnv);
  expect(await second.exited, second.output()).toBe(0);
  if (env.DATA_DIR) {
    db = await open();
    cleanups.push(() => db.close());
  }
  return { db, connectionId: connection.id, cursorAtKill, atKill };
}

async function cursor(db: Db, connectionId: string): Promise<string | null> {
  const row = await db.kysely
    .selectFrom('sync_cursors')
    .select('cursor')
    .where('connection_id', '=', connectionId)
    .where('resource', '=', 'orders')
    .executeTakeFirst();
  return row?.cursor ?? null;
}

async function stored(db: Db, connectionId: string) {
  const orders = await db.kysely
    .selectFrom('cart_orders')
    .select(['external_id', 'total_amount'])
    .where('connection_id', '=', connectionId)
    .execute();
  const customers = await db.kysely
    .selectFrom('cart_customers')
    .select('external_id')
    .where('connection_id', '=', connectionId)
    .execute();
  return {
    orders: new Map(orders.map((o) => [o.external_id, Number(o.total_amount)])),
    orderRows: orders.length,
    customers: new Set(customers.map((c) => c.external_id)),
    customerRows: customers.length,
  };
}

// Two real processes each, one killed mid-import: minutes are possible on a busy machine.
describe('an import process killed mid-import and started again', () => {
  it('ecforce (paged REST): every row once, and the second run resumes from its cursor', async () => {
    const fake = createFakeEcforce({ apiToken: 'kill-test' });
    fake.seed(SHOP);
    const orderRequests = () =>
      fake.requests.filter((r) => r.path.endsWith('/orders.json') && r.status === 200).length;
    const pages = Math.ceil(SHOP.orders.length / 100);
    const {
      db,
      connectionId,
      cursorAtKill,
      atKill: firstRun,
    } = await killMidImport({
      cart: 'ecforce',
      app: fake.app,
      credentials: { shopDomain: 'kill.example.com', apiToken: 'kill-test' },
      // Commits of 500 orders: five HTTP pages each.
      pageSize: 500,
      // Past the first commit, well before the last.
      partWay: () => orderRequests() >= Math.min(15, pages - 5),
      requests: orderRequests,
    });
    expect(cursorAtKill).not.toBeNull();
    expect(firstRun).toBeLessThan(pages);

    const got = await stored(db, connectionId);
    expect(got.customerRows).toBe(SHOP.customers.length);
    expect(got.orderRows).toBe(SHOP.orders.length);
    for (const o of SHOP.orders) expect(got.orders.get(String(o.id))).toBe(o.total);
    // Resumed, not restarted: the second run asked for fewer pages than a whole import needs.
    const secondRun = orderRequests() - firstRun;
    expect(secondRun).toBeLessThan(pages);
    expect(secondRun).toBeGreaterThan(0);
  }, 120_000);

  it('Shopify (bulk export): every row once, resumed inside the same export', async () => {
    const fake = createFakeShopify({ bulkPolls: 0 });
    fake.seed(SHOP);
    let downloading: number | undefined;
    const { db, connectionId, cursorAtKill } = await killMidImport({
      cart: 'shopify',
      app: fake.app,
      credentials: { shopDomain: fake.shopDomain, accessToken: fake.accessToken },
      pageSize: 300,
      slowMs: 40,
      // The orders export (the second operation) has been read for a while: past the first
      // commits (300 orders each), short of the end.
      partWay: () => {
        if (!fake.bulkDownloads.get('2')) return false;
        downloading ??= Date.now();
        return Date.now() - downloading > 1000;
      },
    });
    // Killed inside the orders export, some pages of it stored.
    const at = JSON.parse(cursorAtKill ?? 'null') as { bulk: string; line: number };
    expect(at.bulk).toBe('gid://shopify/BulkOperation/2');
    expect(at.line).toBeGreaterThan(0);
    const got = await stored(db, connectionId);
    expect(got.customerRows).toBe(SHOP.customers.length);
    expect([...got.customers].sort()).toEqual(SHOP.customers.map((c) => customerGid(c.id)).sort());
    expect(got.orderRows).toBe(SHOP.orders.length);
    for (const o of SHOP.orders) expect(got.orders.get(orderGid(o.id))).toBe(o.total);
    // One export per list in all: the second run read the orders export again from its line.
    const runs = fake.requests.filter((r) => r.operationName === 'KizunaBulkRun');
    expect(runs).toHaveLength(2);
    expect(fake.bulkDownloads.get('2')).toBe(2);
  }, 120_000);
});
