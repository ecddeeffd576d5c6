import type { Kysely } from 'kysely';
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

/** Brings the schema to the newest migration. Safe to run concurrently: Kysely takes a lock. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
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
}
