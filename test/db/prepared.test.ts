import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/index.ts';
import { LineInboxRepository } from '../../db/line-inbox.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await t.db.kysely.insertInto('bots').values({ id: 'shop', name: 'Shop' }).execute();
});
afterAll(() => t.close());

/** A webhook body of one follow event. */
function body(i: number): Uint8Array {
  const event = {
    type: 'follow',
    mode: 'active',
    timestamp: 1_700_000_000_000 + i,
    source: { type: 'user', userId: `U${String(i).padStart(32, '0')}` },
    webhookEventId: `01PREP${String(i).padStart(20, '0')}`,
    deliveryContext: { isRedelivery: false },
    replyToken: 'r',
    follow: { isUnblocked: false },
  };
  return new TextEncoder().encode(JSON.stringify({ destination: 'Ubot', events: [event] }));
}

describe('prepared statements (the worker’s hot statements)', () => {
  it('the intake is prepared once per connection, and survives a column added meanwhile', async () => {
    const taken = await t.db.kysely.connection().execute(async (connection) => {
      const inbox = new LineInboxRepository(connection);
      const prepared = async () =>
        (
          await sql<{ statement: string }>`
            select statement from pg_prepared_statements where statement like '%into line_events%'`.execute(
            connection,
          )
        ).rows;
      const out: string[] = [];
      for (let i = 1; i <= 3; i++) {
        await inbox.append([{ botId: 'shop', body: body(i) }]);
        // As a deploy's migration would, between two runs on a connection that prepared it.
        if (i === 3) await sql`alter table line_events add column later text`.execute(connection);
        const { events } = await inbox.take(connection, 10, 'processed');
        out.push(...events.map((e) => e.webhookEventId));
      }
      // On PostgreSQL the one text, prepared once; PGlite runs every statement as it comes.
      expect(await prepared()).toHaveLength(t.dialect === 'postgres' ? 1 : 0);
      await sql`alter table line_events drop column later`.execute(connection);
      return out;
    });
    expect(taken).toEqual([1, 2, 3].map((i) => `01PREP${String(i).padStart(20, '0')}`));
  });

  it('prepares nothing when turned off (KIZUNA_PREPARED_STATEMENTS=false, for poolers)', async () => {
    // On PostgreSQL a second pool without the option; PGlite never prepares.
    const plain = t.url ? await createDb({ kind: 'postgres', url: t.url, poolSize: 1 }) : t.db;
    try {
      const statements = await plain.kysely.connection().execute(async (connection) => {
        const inbox = new LineInboxRepository(connection);
        await inbox.append([{ botId: 'shop', body: body(10) }]);
        const { events } = await inbox.take(connection, 10, 'processed');
        expect(events.map((e) => e.webhookEventId)).toEqual([
          `01PREP${String(10).padStart(20, '0')}`,
        ]);
        return (await sql`select statement from pg_prepared_statements`.execute(connection)).rows;
      });
      expect(statements).toEqual([]);
    } finally {
      if (plain !== t.db) await plain.close();
    }
  });

  it('leaves other statements unprepared', async () => {
    const names = await t.db.kysely.connection().execute(async (connection) => {
      await connection.selectFrom('bots').selectAll().execute();
      return (
        await sql<{ statement: string }>`
          select statement from pg_prepared_statements where statement like '%"bots"%'`.execute(
          connection,
        )
      ).rows;
    });
    expect(names).toEqual([]);
  });
});
