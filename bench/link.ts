import { randomBytes } from 'node:crypto';
import { createDb } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { LinkEngine } from '../db/links.ts';
import { report, scale } from './lib/load.ts';
import { admin } from './lib/pg.ts';

/**
 * bench/link: a full linking pass over N friends and N cart customers (N = 1,000,000 at full
 * scale) on PostgreSQL, and the pass that follows an incremental import of 10,000 orders. The data
 * is made by SQL (generate_series) so the benchmark measures linking, not data generation: half
 * the friends gave a phone that some customer holds, a tenth of customers never ordered, and a
 * share of customers share a phone with another record.
 */
const NAME = 'link';

export async function benchLink(): Promise<boolean> {
  const n = Math.max(10_000, Math.round(1_000_000 * scale()));
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `kizuna_bench_link_${Date.now().toString(36)}`;
  await admin(base, `create database ${dbName}`);
  const db = await createDb({
    kind: 'postgres',
    url: Object.assign(new URL(base), { pathname: `/${dbName}` }).toString(),
  });
  try {
    await migrateToLatest(db.kysely);
    const k = db.kysely;
    const { sql } = await import('kysely');
    await sql`insert into bots (id, name) values ('shop', 'Shop')`.execute(k);
    await sql`insert into connections (id, bot_id, cart, name, credentials_sealed) values ('c1', 'shop', 'ecforce', 'ecforce', ${randomBytes(8).toString('hex')})`.execute(
      k,
    );
    const phone = (expr: string) => sql.raw(`'+8190' || lpad((${expr})::text, 8, '0')`);
    const t0 = performance.now();
    await sql`insert into friends (id, bot_id, line_user_id, source, phone_key)
      select 'f' || i, 'shop', 'U' || md5(i::text), 'follow', case when i % 2 = 0 then ${phone('i')} end
      from generate_series(1, ${n}) as i`.execute(k);
    await sql`insert into cart_customers (connection_id, external_id, bot_id, phones, phone_keys, updated_at_cart)
      select 'c1', 'C' || i, 'shop', array[${phone('i')}], array[${phone('case when i % 25 = 0 then i - 1 else i end')}], now()
      from generate_series(1, ${n}) as i`.execute(k);
    await sql`insert into cart_orders (connection_id, external_id, bot_id, customer_external_id, ordered_at, total_amount, currency, items, updated_at_cart)
      select 'c1', 'O' || i, 'shop', 'C' || i, now(), 3980, 'JPY', '[]', now()
      from generate_series(1, ${n}) as i where i % 10 <> 0`.execute(k);
    await sql`analyze`.execute(k);
    console.log(
      `${NAME}: ${n} friends, ${n} customers and ${Math.round(n * 0.9)} orders made in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const engine = new LinkEngine(k);
    const connection = { id: 'c1', botId: 'shop', cart: 'ecforce' as const };
    const full0 = performance.now();
    const created = await engine.link(connection);
    const fullSeconds = (performance.now() - full0) / 1000;
    const again0 = performance.now();
    const repeat = await engine.link(connection);
    const againSeconds = (performance.now() - again0) / 1000;

    // An incremental import: 10,000 orders for customers who had none, then the scoped pass.
    const incoming = await sql<{
      id: string;
    }>`select 'C' || i as id from generate_series(10, ${n}, 10) as i limit 10000`.execute(k);
    const ids = incoming.rows.map((r) => r.id);
    await sql`insert into cart_orders (connection_id, external_id, bot_id, customer_external_id, ordered_at, total_amount, currency, items, updated_at_cart)
      select 'c1', 'N' || id, 'shop', id, now(), 1980, 'JPY', '[]', now() from unnest(${ids}::text[]) as id`.execute(
      k,
    );
    const inc0 = performance.now();
    const incremental = await engine.link(connection, { customerExternalIds: ids });
    const incSeconds = (performance.now() - inc0) / 1000;

    console.log(
      `${NAME}: full pass made ${created.length} links in ${fullSeconds.toFixed(2)} s (again: ${repeat.length} in ${againSeconds.toFixed(2)} s); after 10,000 orders: ${incremental.length} links in ${incSeconds.toFixed(3)} s`,
    );
    const target = 20 * (n / 1_000_000);
    let ok = report(
      NAME,
      'full_pass',
      fullSeconds,
      's',
      `<=${target.toFixed(1)}s`,
      fullSeconds <= target,
    );
    ok = report(NAME, 'incremental_10k_orders', incSeconds, 's', '<=1s', incSeconds <= 1) && ok;
    ok = report(NAME, 'second_pass_new_links', repeat.length, '', '=0', repeat.length === 0) && ok;
    return ok;
  } finally {
    await db.close();
    await admin(base, `drop database if exists ${dbName} with (force)`).catch(() => {});
  }
}
