import { sql } from 'kysely';
import {
  CartError,
  type CartConnector,
  type ConnectorContext,
  type Page,
  type SkippedRecord,
  type WebhookChange,
} from '../carts/connector.ts';
import type { CartCustomer, CartOrder, CartProduct, CartSubscription } from '../crm/cart.ts';
import {
  CartDataRepository,
  prepareCustomers,
  prepareOrders,
  type PreparedUpsert,
} from '../db/cart-data.ts';
import type { Connection, ConnectionRepository } from '../db/connections.ts';
import type { Db } from '../db/index.ts';
import { LinkEngine, type NewLink } from '../db/links.ts';
import { rulesOnLink } from '../db/rule-runner.ts';
import { refreshFriendPurchases } from '../db/purchase-stats.ts';
import { joinPages, readAhead } from './import-pages.ts';
import type { Logger } from '../server/logger.ts';

export type Resource = 'customers' | 'orders' | 'subscriptions' | 'products';
type CartRecord = CartCustomer | CartOrder | CartSubscription | CartProduct;

export interface ImportDeps {
  db: Db;
  connections: ConnectionRepository;
  logger: Logger;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): Date;
  /** Records a committed page holds at least when the cart's own pages are smaller; 2,000. */
  joinPagesTo?: number;
  /** Shop time zone, for the rules that run on each link (default Asia/Tokyo). */
  timeZone?: string | undefined;
}

export interface ImportResult {
  imported: number;
  skipped: number;
  links: NewLink[];
}

/**
 * Imports one resource of one connection from its stored cursor. Each page commits in one
 * transaction together with the cursor that follows it and the links it makes, so a killed run
 * resumes exactly after its last committed page (no gaps, no duplicates) and friends link the
 * moment their customer or order arrives (F2.6). The run is recorded with its counts and error.
 */
export async function importResource(
  deps: ImportDeps,
  connector: CartConnector<unknown>,
  connection: Connection,
  resource: Resource,
): Promise<ImportResult> {
  const runId = crypto.randomUUID();
  await deps.db.kysely
    .insertInto('sync_runs')
    .values({ id: runId, connection_id: connection.id, resource, state: 'running' })
    .execute();
  await deps.connections.setStatus(connection.id, 'syncing');
  const result: ImportResult = { imported: 0, skipped: 0, links: [] };
  const skippedSample: SkippedRecord[] = [];
  try {
    const ctx: ConnectorContext<unknown> = {
      credentials: await deps.connections.credentials(connection.id),
      baseUrl: connection.baseUrl ?? undefined,
      fetch: deps.fetch,
      sleep: deps.sleep,
      now: deps.now,
    };
    const cursor = await readCursor(deps.db, connection.id, resource);
    const source = joinPages(pages(connector, ctx, resource, cursor), deps.joinPagesTo ?? 2000);
    for await (const { page, upsert } of readAhead(withUpserts(source, connection, resource))) {
      const links = await deps.db.kysely.transaction().execute(async (trx) => {
        // The page's cursor commits with its rows, so a commit lost to a database server crash
        // only means those pages are read again: no need to wait for the WAL flush of every page.
        // Not embedded: PGlite dies with this process, and would lose every page since its last
        // flush to a killed import.
        if (deps.db.driver.kind === 'postgres')
          await sql`set local synchronous_commit = off`.execute(trx);
        const data = new CartDataRepository(trx);
        const customerIds = await store(data, connection, resource, page, upsert);
        await sql`insert into sync_cursors (connection_id, resource, cursor, updated_at)
          values (${connection.id}, ${resource}, ${page.cursor}, now())
          on conflict (connection_id, resource) do update set cursor = excluded.cursor, updated_at = now()`.execute(
          trx,
        );
        await trx
          .updateTable('sync_runs')
          .set({
            imported: sql`imported + ${page.items.length}`,
            skipped: sql`skipped + ${page.skipped.length}`,
          })
          .where('id', '=', runId)
          .execute();
        if (customerIds.length === 0) return [];
        const linked = await new LinkEngine(trx).link(connection, {
          customerExternalIds: customerIds,
        });
        // Stats and birthdays follow the page in its own transaction (F4.2, F4.4).
        await refreshFriendPurchases(trx, {
          connectionId: connection.id,
          customerExternalIds: customerIds,
        });
        await rulesOnLink(trx, connection.botId, linked, deps.timeZone);
        return linked;
      });
      result.imported += page.items.length;
      result.skipped += page.skipped.length;
      result.links.push(...links);
      if (skippedSample.length < 20)
        skippedSample.push(...page.skipped.slice(0, 20 - skippedSample.length));
    }
    await finishRun(deps.db, runId, 'done', null, skippedSample);
    await deps.connections.setStatus(connection.id, 'connected');
    return result;
  } catch (error) {
    const message = describe(error);
    await finishRun(deps.db, runId, 'failed', message, skippedSample);
    await deps.connections.setStatus(connection.id, 'error', {
      kind: error instanceof CartError ? error.kind : 'unexpected',
      message,
    });
    deps.logger.warn('cart import failed', {
      connectionId: connection.id,
      resource,
      error: message,
    });
    throw error;
  }
}

function pages(
  connector: CartConnector<unknown>,
  ctx: ConnectorContext<unknown>,
  resource: Resource,
  cursor: string | null,
): AsyncIterable<Page<CartRecord>> {
  switch (resource) {
    case 'customers':
      return connector.customers(ctx, cursor);
    case 'orders':
      return connector.orders(ctx, cursor);
    case 'subscriptions':
      return connector.subscriptions?.(ctx, cursor) ?? (async function* () {})();
    case 'products':
      // The catalog (F4.5) has no cursor: every import lists it whole.
      return connector.products?.(ctx) ?? (async function* () {})();
    default: {
      const unreachable: never = resource;
      throw new Error(`unknown resource ${String(unreachable)}`);
    }
  }
}

/**
 * Each page with its customers' or orders' upsert built: in the read-ahead, so the importer's
 * encoding of the next page overlaps the database's work on this one.
 */
async function* withUpserts(
  source: AsyncIterable<Page<CartRecord>>,
  connection: Connection,
  resource: Resource,
): AsyncIterable<{ page: Page<CartRecord>; upsert: PreparedUpsert | null }> {
  for await (const page of source) {
    const upsert =
      resource === 'customers'
        ? prepareCustomers(connection, page.items as CartCustomer[])
        : resource === 'orders'
          ? prepareOrders(connection, page.items as CartOrder[])
          : null;
    yield { page, upsert };
  }
}

/** Stores a page; returns the cart customer ids whose linking may have changed. */
async function store(
  data: CartDataRepository,
  connection: Connection,
  resource: Resource,
  page: Page<CartRecord>,
  upsert: PreparedUpsert | null,
): Promise<string[]> {
  switch (resource) {
    case 'customers': {
      await data.upsert(upsert);
      return (page.items as CartCustomer[]).map((c) => c.externalId);
    }
    case 'orders': {
      const orders = page.items as CartOrder[];
      await data.upsert(upsert);
      // An order can make its customer linkable (phone rule: "has at least one order").
      return [
        ...new Set(orders.flatMap((o) => (o.customerExternalId ? [o.customerExternalId] : []))),
      ];
    }
    case 'subscriptions':
      await data.upsertSubscriptions(connection, page.items as CartSubscription[]);
      return [];
    case 'products':
      await data.upsertProducts(connection, page.items as CartProduct[]);
      return [];
    default: {
      const unreachable: never = resource;
      throw new Error(`unknown resource ${String(unreachable)}`);
    }
  }
}

/**
 * Applies the changes of one cart webhook (F3.8) as an import page would: upserts that never go
 * back in time (so a late or duplicated webhook, or one racing an import, leaves the cart's
 * latest state) and linking for the customers concerned, in one transaction.
 */
export async function applyWebhookChanges(
  db: Db,
  connection: Connection,
  changes: WebhookChange[],
  delivery: { id: string; topic: string | null } | null,
  timeZone?: string,
): Promise<NewLink[] | 'duplicate'> {
  return db.kysely.transaction().execute(async (trx) => {
    // Recorded in the same transaction as the changes: a delivery that failed half-way is not
    // marked seen, so the cart's redelivery applies it.
    if (delivery) {
      const fresh = await trx
        .insertInto('cart_webhook_deliveries')
        .values({ connection_id: connection.id, delivery_id: delivery.id, topic: delivery.topic })
        .onConflict((oc) => oc.columns(['connection_id', 'delivery_id']).doNothing())
        .returning('delivery_id')
        .executeTakeFirst();
      if (!fresh) return 'duplicate' as const;
    }
    const data = new CartDataRepository(trx);
    const customers: string[] = [];
    for (const change of changes) {
      switch (change.kind) {
        case 'customer':
          await data.upsertCustomers(connection, [change.customer]);
          customers.push(change.customer.externalId);
          break;
        case 'order':
          await data.upsertOrders(connection, [change.order]);
          if (change.order.customerExternalId) customers.push(change.order.customerExternalId);
          break;
        case 'subscription':
          await data.upsertSubscriptions(connection, [change.subscription]);
          break;
        case 'shipment':
          // Shipping changes neither links nor purchase figures.
          await data.applyShipments(connection, [change.shipment]);
          break;
        case 'checkout':
          // Abandoned-cart messages (F6.5) come with a later feature; the delivery is still recorded.
          break;
        default: {
          const unreachable: never = change;
          throw new Error(`unknown change ${JSON.stringify(unreachable)}`);
        }
      }
    }
    if (customers.length === 0) return [];
    const linked = await new LinkEngine(trx).link(connection, { customerExternalIds: customers });
    await refreshFriendPurchases(trx, {
      connectionId: connection.id,
      customerExternalIds: customers,
    });
    await rulesOnLink(trx, connection.botId, linked, timeZone);
    return linked;
  });
}

async function readCursor(
  db: Db,
  connectionId: string,
  resource: Resource,
): Promise<string | null> {
  const row = await db.kysely
    .selectFrom('sync_cursors')
    .select('cursor')
    .where('connection_id', '=', connectionId)
    .where('resource', '=', resource)
    .executeTakeFirst();
  return row?.cursor ?? null;
}

async function finishRun(
  db: Db,
  runId: string,
  state: 'done' | 'failed',
  error: string | null,
  skipped: SkippedRecord[],
): Promise<void> {
  await db.kysely
    .updateTable('sync_runs')
    .set({
      state,
      error,
      finished_at: sql`now()`,
      skipped_sample: skipped.length > 0 ? JSON.stringify(skipped) : null,
    })
    .where('id', '=', runId)
    .execute();
}

/** The error in words a shop understands (F3.5). */
export function describe(error: unknown): string {
  if (!(error instanceof CartError))
    return 'the import stopped on an unexpected error; it will be retried';
  switch (error.kind) {
    case 'bad_credentials':
      return `the cart refused the credentials${error.field ? ` (${error.field})` : ''}: check them and reconnect`;
    case 'revoked':
      return 'the access token was revoked: reconnect the cart with a new one';
    case 'not_found':
      return `the cart was not found${error.field ? ` (${error.field})` : ''}: check the shop domain`;
    case 'rate_limited':
      return 'the cart is limiting requests; the import will resume shortly';
    case 'unavailable':
      return 'the cart did not answer; the import will resume where it stopped';
    case 'malformed':
      return `the cart answered something Kizuna cannot read: ${error.message}`;
    default: {
      const unreachable: never = error.kind;
      return String(unreachable);
    }
  }
}
