// An importer process for the kill-mid-import test: imports customers then orders of one
// connection (CONNECTION_ID) from DATABASE_URL (PostgreSQL) or DATA_DIR (embedded), as the
// cart.import job does, and prints "done" when both finished. The test kills it part-way.
import { createEcforceConnector } from '../../carts/ecforce.ts';
import { createShopifyConnector } from '../../carts/shopify.ts';
import { ConnectionRepository } from '../../db/connections.ts';
import { createDb } from '../../db/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { importResource } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';

const { DATABASE_URL, DATA_DIR, CONNECTION_ID, SECRET_KEY } = process.env;
if (!CONNECTION_ID || !SECRET_KEY || !(DATABASE_URL || DATA_DIR))
  throw new Error('CONNECTION_ID, SECRET_KEY and DATABASE_URL or DATA_DIR are required');
const db = await createDb(
  DATABASE_URL ? { kind: 'postgres', url: DATABASE_URL } : { kind: 'pglite', dataDir: DATA_DIR! },
);
const connections = new ConnectionRepository(db.kysely, await SecretBox.fromBase64Key(SECRET_KEY));
const connection = (await connections.get(CONNECTION_ID))!;
const connector =
  connection.cart === 'shopify'
    ? createShopifyConnector({ bulkPageSize: Number(process.env.PAGE_SIZE ?? 2000) })
    : createEcforceConnector();
const deps = {
  db,
  connections,
  logger: silentLogger,
  fetch,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  now: () => new Date(),
  joinPagesTo: Number(process.env.PAGE_SIZE ?? 2000),
};
for (const resource of ['customers', 'orders'] as const) {
  await importResource(deps, connector, connection, resource);
  process.stdout.write(`imported ${resource}\n`);
}
await db.close();
process.stdout.write('done\n');
