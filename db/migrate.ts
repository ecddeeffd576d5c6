import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { migrations } from './migrations/index.ts';

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(
      `migration ${migration ?? '(unknown)'} failed: ${String((cause as Error)?.message ?? cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationError';
  }
}

/** Arbitrary constant naming Kizuna's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 7_305_118_421;

/**
 * Brings the schema to the newest migration. Safe when several processes start at once (web and
 * worker processes of one deployment): they queue on a session advisory lock, so only the first
 * creates Kysely's bookkeeping tables (whose own `create if not exists` races) and migrates.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      const migrator = new Migrator({
        db: connection,
        provider: { getMigrations: async () => migrations },
        migrationTableName: 'kizuna_migrations',
        migrationLockTableName: 'kizuna_migrations_lock',
      });
      const result: MigrationResultSet = await migrator.migrateToLatest();
      if (result.error) {
        const failed = result.results?.find((r) => r.status === 'Error');
        throw new MigrationError(failed?.migrationName, result.error);
      }
      return (result.results ?? []).map((r) => r.migrationName);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}
