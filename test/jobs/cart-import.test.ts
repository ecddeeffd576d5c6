import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CartError, type CartConnector, type Page } from '../../carts/connector.ts';
import type { CartCustomer, CartOrder } from '../../crm/cart.ts';
import { ConnectionRepository, type Connection } from '../../db/connections.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';
import { customer, insertBot, insertFriend, order } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

/**
 * An in-memory cart at the connector interface, to test the import engine's own promises
 * (cursors, resumption, runs, status, linking) apart from any cart's wire format.
 */
function memoryCart(customers: CartCustomer[], orders: CartOrder[], pageSize = 2) {
  const calls: Array<{ resource: string; cursor: string | null }> = [];
  let failAtPage: number | undefined;
  let failWith: CartError | undefined;
  async function* paged<T>(
    resource: string,
    records: T[],
    cursor: string | null,
  ): AsyncIterable<Page<T>> {
    calls.push({ resource, cursor });
    let start = cursor === null ? 0 : Number(cursor);
    for (let page = 0; start < records.length; page++) {
      if (failWith && page === failAtPage) {
        const error = failWith;
        failWith = undefined;
        throw error;
      }
      const items = records.slice(start, start + pageSize);
      start += items.length;
      yield { items, skipped: [], cursor: String(start) };
    }
  }
  const connector: CartConnector<{ token: string }> = {
    kind: 'ecforce',
    credentials: z.object({ token: z.string() }),
    verify: async () => {},
    customers: (_ctx, cursor) => paged('customers', customers, cursor),
    orders: (_ctx, cursor) => paged('orders', orders, cursor),
    customerAdminUrl: (_c, c) => `https://cart.example/customers/${c.externalId}`,
  };
  return {
    connector: connector as CartConnector<unknown>,
    calls,
    failOnPage(page: number, error: CartError) {
      failAtPage = page;
      failWith = error;
    },
  };
}

let t: TestDb;
let deps: ImportDeps;
let connections: ConnectionRepository;

beforeAll(async () => {
  t = await openTestDb();
  connections = new ConnectionRepository(
    t.db.kysely,
    await SecretBox.fromBase64Key(SecretBox.generateKey()),
  );
  deps = {
    db: t.db,
    connections,
    logger: silentLogger,
    fetch,
    sleep: async () => {},
    now: () => new Date(),
  };
  await insertBot(t.db, 'shop');
});
afterAll(() => t.close());

async function connect(): Promise<Connection> {
  await t.db.kysely.updateTable('connections').set({ disconnected_at: new Date() }).execute();
  return (await connections.create({
    botId: 'shop',
    cart: 'ecforce',
    name: 'ecforce',
    credentials: { token: 't' },
  }))!;
}

const count = async (table: 'cart_customers' | 'cart_orders', connectionId: string) =>
  Number(
    (
      await t.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('connection_id', '=', connectionId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the cart import engine', () => {
  it('imports every page, records the run and stores the cursor', async () => {
    const connection = await connect();
    const cart = memoryCart(
      Array.from({ length: 5 }, () => customer()),
      [],
    );
    const result = await importResource(deps, cart.connector, connection, 'customers');
    expect(result).toMatchObject({ imported: 5, skipped: 0 });
    expect(await count('cart_customers', connection.id)).toBe(5);
    const run = await t.db.kysely
      .selectFrom('sync_runs')
      .selectAll()
      .where('connection_id', '=', connection.id)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ state: 'done', imported: 5, error: null });
    expect(await connections.get(connection.id)).toMatchObject({
      status: 'connected',
      lastError: null,
    });
    // The next run starts after the last page.
    await importResource(deps, cart.connector, connection, 'customers');
    expect(cart.calls.at(-1)).toEqual({ resource: 'customers', cursor: '5' });
  });

  it('resumes a failed run after its last committed page, without gaps or duplicates', async () => {
    const connection = await connect();
    const cart = memoryCart(
      Array.from({ length: 7 }, () => customer()),
      [],
    );
    cart.failOnPage(2, new CartError('unavailable', 'HTTP 503'));
    await expect(
      importResource(deps, cart.connector, connection, 'customers'),
    ).rejects.toBeInstanceOf(CartError);
    expect(await count('cart_customers', connection.id)).toBe(4);
    expect(await connections.get(connection.id)).toMatchObject({
      status: 'error',
      lastErrorKind: 'unavailable',
      lastError: 'the cart did not answer; the import will resume where it stopped',
    });
    const result = await importResource(deps, cart.connector, connection, 'customers');
    expect(cart.calls.at(-1)).toEqual({ resource: 'customers', cursor: '4' });
    expect(result.imported).toBe(3);
    expect(await count('cart_customers', connection.id)).toBe(7);
    expect((await connections.get(connection.id))?.status).toBe('connected');
  });

  it('says in words which credential the cart refused', async () => {
    const connection = await connect();
    const cart = memoryCart([customer()], []);
    cart.failOnPage(0, new CartError('bad_credentials', 'HTTP 401', 'apiToken'));
    await expect(importResource(deps, cart.connector, connection, 'customers')).rejects.toThrow();
    expect((await connections.get(connection.id))?.lastError).toBe(
      'the cart refused the credentials (apiToken): check them and reconnect',
    );
  });

  it('links a friend the moment the order that makes its customer linkable arrives', async () => {
    const connection = await connect();
    const friend = await insertFriend(t.db, 'shop', { phoneKey: '+819076543210' });
    const buyer = customer({ phones: ['090-7654-3210'] });
    const cart = memoryCart([buyer], [order(buyer.externalId)]);
    expect((await importResource(deps, cart.connector, connection, 'customers')).links).toEqual([]);
    const result = await importResource(deps, cart.connector, connection, 'orders');
    expect(result.links).toEqual([
      {
        friendId: friend,
        connectionId: connection.id,
        customerExternalId: buyer.externalId,
        rule: 'phone',
      },
    ]);
  });

  it('keeps imported data when the connection is disconnected (F3.6)', async () => {
    const connection = await connect();
    await importResource(
      deps,
      memoryCart([customer(), customer()], []).connector,
      connection,
      'customers',
    );
    await connections.disconnect(connection.id);
    expect(await count('cart_customers', connection.id)).toBe(2);
    expect((await connections.get(connection.id))?.status).toBe('disconnected');
  });
});
