import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { LineEventRepository } from '../../db/line-events.ts';
import { LineInboxRepository } from '../../db/line-inbox.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await t.db.kysely.insertInto('bots').values({ id: 'shop', name: 'Shop' }).execute();
});
afterAll(() => t.close());

/** Both ways of appending: through the query builder, and as a named prepared statement. */
function repositories() {
  const out: Array<[string, LineInboxRepository]> = [
    ['query builder', new LineInboxRepository(t.db.kysely)],
  ];
  if (t.db.driver.kind === 'postgres')
    out.push(['named statement', new LineInboxRepository(t.db.kysely, t.db.driver.pool)]);
  return out;
}

describe('LineInboxRepository.append', () => {
  it('stores each body byte for byte, in order, with its bot', async () => {
    for (const [way, inbox] of repositories()) {
      await t.db.kysely.deleteFrom('line_inbox').execute();
      const texts = ['{"a":1}', '', '{"text":"注文 🌸"}', 'x'.repeat(70_000)];
      const bodies = texts.map((text, i) => ({
        botId: i === 1 ? 'other' : 'shop',
        body: new TextEncoder().encode(text),
      }));
      await inbox.append(bodies);
      await inbox.append(bodies.slice(0, 1)); // the same statement again, on a warm connection
      const rows = await t.db.kysely
        .selectFrom('line_inbox')
        .select(['bot_id', 'body'])
        .orderBy('id')
        .execute();
      expect(
        rows.map((r) => [r.bot_id, new TextDecoder().decode(r.body)]),
        way,
      ).toEqual([...texts.map((text, i) => [bodies[i]!.botId, text]), ['shop', texts[0]]]);
    }
  });

  it('writes nothing for no bodies', async () => {
    await t.db.kysely.deleteFrom('line_inbox').execute();
    for (const [, inbox] of repositories()) await inbox.append([]);
    expect(await t.db.kysely.selectFrom('line_inbox').selectAll().execute()).toEqual([]);
  });
});

/** A webhook body of `n` follow events, numbered from `from`. */
function followBody(from: number, n: number): Uint8Array {
  const events = Array.from({ length: n }, (_, i) => ({
    type: 'follow',
    mode: 'active',
    timestamp: 1_700_000_000_000 + from + i,
    source: { type: 'user', userId: `U${String(from + i).padStart(32, '0')}` },
    webhookEventId: `01TAKE${String(from + i).padStart(20, '0')}`,
    deliveryContext: { isRedelivery: false },
    replyToken: 'r',
    follow: { isUnblocked: false },
  }));
  return new TextEncoder().encode(JSON.stringify({ destination: 'Ubot', events }));
}

// The limit is what bounds a worker's transaction. Written as `id in (select … limit n for update
// skip locked)`, PostgreSQL may run the subquery again for every row it scans, each run skipping
// the rows the statement has already taken: the window slides, and one take empties the inbox.
describe('LineInboxRepository.take and LineEventRepository.claim', () => {
  it('take moves at most `limit` bodies, oldest first, and leaves the rest', async () => {
    await t.db.kysely.deleteFrom('line_inbox').execute();
    await t.db.kysely.deleteFrom('line_events').execute();
    const inbox = new LineInboxRepository(t.db.kysely);
    // As the worker leaves it after a backlog: vacuumed empty, so the planner counts on no rows.
    await inbox.vacuum(t.dialect === 'postgres');
    await sql`vacuum line_events`.execute(t.db.kysely);
    await inbox.append(
      Array.from({ length: 30 }, (_, i) => ({ botId: 'shop', body: followBody(i * 2, 2) })),
    );
    const taken = await t.db.kysely.transaction().execute((trx) => inbox.take(trx, 7, 'pending'));
    expect(taken.bodies).toBe(7);
    expect(taken.events.map((e) => e.webhookEventId)).toEqual(
      Array.from({ length: 14 }, (_, i) => `01TAKE${String(i).padStart(20, '0')}`),
    );
    expect(await inbox.backlog()).toEqual({ waiting: 23, setAside: 0 });
  });

  it('claim takes at most `limit` due events, oldest first', async () => {
    const events = new LineEventRepository(t.db.kysely);
    const claimed = await events.claim(5);
    expect(claimed.map((e) => e.webhookEventId)).toEqual(
      Array.from({ length: 5 }, (_, i) => `01TAKE${String(i).padStart(20, '0')}`),
    );
    const { rows } = await sql<{ state: string; n: number }>`
      select state, count(*)::int as n from line_events group by state order by state`.execute(
      t.db.kysely,
    );
    expect(rows).toEqual([
      { state: 'pending', n: 9 },
      { state: 'processing', n: 5 },
    ]);
  });
});
