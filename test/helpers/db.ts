import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createDb, type Database, type Db } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';

export interface TestDb {
  db: Db;
  /** Set on PostgreSQL: the URL of this test's own database (for child processes). */
  url: string | undefined;
  dialect: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** The PostgreSQL server to test against, when one is configured. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the TEST_DATABASE_URL server (dropped afterwards), so files never see each other's rows.
 */
export async function openTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  let db: Db;
  let url: string | undefined;
  let drop = async () => {};
  if (testDatabaseUrl) {
    const name = `kizuna_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    await adminQuery(`create database ${name}`);
    const target = new URL(testDatabaseUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    db = await createDb({ kind: 'postgres', url, poolSize: 5, prepare: true });
    drop = () => adminQuery(`drop database if exists ${name} with (force)`);
  } else {
    db = await createDb({ kind: 'pglite', dataDir: 'memory://' });
  }
  if (options.migrate ?? true) await migrateToLatest(db.kysely);
  return {
    db,
    url,
    dialect: db.driver.kind,
    async close() {
      await db.close();
      await drop();
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Sequential scans of `table` made by `work`, run in a transaction of its own (the statistics
 * count per transaction): a statement meant to probe a key must read 0 here.
 */
export async function sequentialScansOf(
  db: Db,
  table: string,
  work: (trx: Kysely<Database>) => Promise<unknown>,
): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const scans = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select pg_stat_get_xact_numscans(${table}::regclass) as n`.execute(trx)
        ).rows[0]!.n,
      );
    const before = await scans();
    await work(trx);
    return (await scans()) - before;
  });
}
