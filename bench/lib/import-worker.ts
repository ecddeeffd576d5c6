// The importer of the import benchmark, alone in its process so its peak RSS is the import's:
// imports customers then orders of one connection from DATABASE_URL's first cart connection, as
// the cart.import job does, and sends the seconds and rows of each and the process's peak RSS.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { createEcforceConnector } from '../../carts/ecforce.ts';
import { createShopifyConnector } from '../../carts/shopify.ts';
import { ConnectionRepository } from '../../db/connections.ts';
import { createDb } from '../../db/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { importResource } from '../../jobs/cart-import.ts';
import { silentLogger } from '../../server/logger.ts';

const url = process.env.DATABASE_URL;
const connectionId = process.env.CONNECTION_ID;
const key = process.env.SECRET_KEY;
if (!url || !connectionId || !key) throw new Error('DATABASE_URL, CONNECTION_ID, SECRET_KEY');

const db = await createDb({ kind: 'postgres', url, poolSize: 2 });
const connections = new ConnectionRepository(db.kysely, await SecretBox.fromBase64Key(key));
const connection = (await connections.get(connectionId))!;
const connector =
  connection.cart === 'shopify' ? createShopifyConnector() : createEcforceConnector();
/**
 * Seconds spent waiting for the cart: the connector sleeps only between polls of an export the
 * cart is still preparing (Shopify's bulk operation) or when throttled. That time is the cart's,
 * not the importer's, and is reported apart.
 */
let waited = 0;
const deps = {
  db,
  connections,
  logger: silentLogger,
  fetch,
  sleep: async (ms: number) => {
    const t0 = performance.now();
    await new Promise<void>((r) => setTimeout(r, ms));
    waited += (performance.now() - t0) / 1000;
  },
  now: () => new Date(),
};
/**
 * CPU seconds of this database's server processes, when the server runs on this machine (Linux
 * /proc): with the importer's own CPU, where an import's time goes whatever else the machine runs.
 */
async function serverCpu(): Promise<number | null> {
  const { rows } = await sql<{
    pid: number;
  }>`select pid from pg_stat_activity where datname = current_database()`.execute(db.kysely);
  try {
    let ticks = 0;
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

const result: Record<
  string,
  { rows: number; seconds: number; waited: number; cpu: number; pgCpu: number | null }
> = {};
for (const resource of ['customers', 'orders'] as const) {
  waited = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pg0 = await serverCpu();
  const { imported } = await importResource(deps, connector, connection, resource);
  const cpu = process.cpuUsage(cpu0);
  const pg1 = await serverCpu();
  result[resource] = {
    rows: imported,
    seconds: (performance.now() - t0) / 1000 - waited,
    waited,
    cpu: (cpu.user + cpu.system) / 1e6,
    pgCpu: pg0 !== null && pg1 !== null ? pg1 - pg0 : null,
  };
}
await db.close();
// ru_maxrss is in kilobytes on Linux: the process's peak resident set.
process.send?.({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 }, () =>
  process.exit(0),
);
