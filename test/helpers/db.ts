import pg from 'pg';
import { createDb, type Db } from '../../db/index.ts';
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
    db = await createDb({ kind: 'postgres', url, poolSize: 5 });
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
