import { z } from 'zod';
import type { CartConnector, Page } from '../../carts/connector.ts';
import type { CartCustomer, CartKind, CartOrder, CartProduct } from '../../crm/cart.ts';
import { ConnectionRepository, type Connection } from '../../db/connections.ts';
import { SecretBox } from '../../db/secret-box.ts';
import type { ImportDeps } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';
import { insertBot } from './carts.ts';
import type { TestDb } from './db.ts';

/** A cart at the connector interface holding whatever the test puts in it, each list one page. */
export function memoryCart(kind: CartKind) {
  const held = { customers: [] as CartCustomer[], orders: [] as CartOrder[] };
  const products: CartProduct[][] = [];
  async function* one<T>(items: T[]): AsyncIterable<Page<T>> {
    yield { items, skipped: [], cursor: null };
  }
  const connector: CartConnector<{ token: string }> = {
    kind,
    credentials: z.object({ token: z.string() }),
    verify: async () => {},
    customers: () => one(held.customers),
    orders: () => one(held.orders),
    async *products() {
      for (const items of products) yield { items, skipped: [], cursor: null };
    },
    customerAdminUrl: (_c, c) => `https://cart.example/customers/${c.externalId}`,
  };
  return { connector: connector as CartConnector<unknown>, held, products };
}

/** Import deps over a test database, and `connect`, which makes a connection of a bot's cart. */
export async function importHarness(t: TestDb, botId: string) {
  const connections = new ConnectionRepository(
    t.db.kysely,
    await SecretBox.fromBase64Key(SecretBox.generateKey()),
  );
  const deps: ImportDeps = {
    db: t.db,
    connections,
    logger: silentLogger,
    fetch,
    sleep: async () => {},
    now: () => new Date(),
  };
  await insertBot(t.db, botId);
  async function connect(cart: CartKind, birthdaySync = true): Promise<Connection> {
    // One live connection per cart and bot (F3.3): an earlier test's is disconnected, data kept.
    await t.db.kysely
      .updateTable('connections')
      .set({ disconnected_at: new Date() })
      .where('bot_id', '=', botId)
      .where('cart', '=', cart)
      .execute();
    const c = (await connections.create({
      botId,
      cart,
      name: cart,
      credentials: { token: 't' },
      birthdaySync,
    }))!;
    return (await connections.get(c.id))!;
  }
  return { deps, connections, connect };
}
