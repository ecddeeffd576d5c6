import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ migrate: false });
});
afterAll(() => t.close());

describe('migrations', () => {
  it('apply from scratch, also when several processes start at once, and only once', async () => {
    // Separate pools stand for separate processes (PGlite has one connection, so one pool there).
    const others: Db[] = t.url
      ? await Promise.all(
          [1, 2].map(() => createDb({ kind: 'postgres', url: t.url!, poolSize: 2 })),
        )
      : [];
    const runs = await Promise.all([t.db, ...others].map((db) => migrateToLatest(db.kysely)));
    for (const db of others) await db.close();
    expect(runs.flat().sort()).toEqual(Object.keys(migrations).sort());
    expect(await migrateToLatest(t.db.kysely)).toEqual([]);
  });

  it('run down to nothing and up again', async () => {
    for (const name of Object.keys(migrations).reverse())
      await migrations[name]!.down!(t.db.kysely as never);
    const tables = await sql<{ n: string }>`
      select count(*) as n from information_schema.tables where table_schema = 'public' and table_name in ('bots', 'friends', 'line_events')`.execute(
      t.db.kysely,
    );
    expect(Number(tables.rows[0]!.n)).toBe(0);
    for (const name of Object.keys(migrations)) await migrations[name]!.up(t.db.kysely as never);
    const after = await sql<{ n: string }>`
      select count(*) as n from information_schema.tables where table_schema = 'public' and table_name in ('bots', 'friends', 'line_events')`.execute(
      t.db.kysely,
    );
    expect(Number(after.rows[0]!.n)).toBe(3);
  });
});
