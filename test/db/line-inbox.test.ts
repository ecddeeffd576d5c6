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
    const backlog = await inbox.backlog();
    expect(backlog).toMatchObject({ waiting: 23, setAside: 0 });
    // The oldest waiting body was appended moments ago, within this test.
    expect(backlog.oldestWaitingSeconds).toBeGreaterThan(0);
    expect(backlog.oldestWaitingSeconds).toBeLessThan(60);
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

// Intake writes nothing to the bots row: a foreign key from line_events would look the bot up and
// lock its row for every event (the lock is written into the row: its xmax), in every batch.
describe('line_events and the bot', () => {
  const xmaxOfBot = async (id: string) =>
    (
      await sql<{ xmax: string }>`select xmax::text as xmax from bots where id = ${id}`.execute(
        t.db.kysely,
      )
    ).rows[0]!.xmax;

  it('intake stores a bot’s events without locking the bot’s row', async () => {
    await t.db.kysely.insertInto('bots').values({ id: 'quiet', name: 'Quiet' }).execute();
    expect(await xmaxOfBot('quiet')).toBe('0');
    const inbox = new LineInboxRepository(t.db.kysely);
    await t.db.kysely.deleteFrom('line_inbox').execute();
    await inbox.append([{ botId: 'quiet', body: followBody(9_000, 3) }]);
    const taken = await t.db.kysely
      .transaction()
      .execute((trx) => inbox.take(trx, 10, 'processed'));
    expect(taken.events).toHaveLength(3);
    expect(await xmaxOfBot('quiet')).toBe('0');
  });

  it('deleting a bot deletes its events and postbacks, and no other bot’s', async () => {
    const k = t.db.kysely;
    await k.insertInto('bots').values({ id: 'gone', name: 'Gone' }).execute();
    const inbox = new LineInboxRepository(k);
    await k.deleteFrom('line_inbox').execute();
    await inbox.append([
      { botId: 'gone', body: followBody(9_100, 2) },
      { botId: 'shop', body: followBody(9_200, 2) },
    ]);
    await k.transaction().execute((trx) => inbox.take(trx, 10, 'processed'));
    for (const botId of ['gone', 'shop']) {
      const friend = await k
        .insertInto('friends')
        .values({ id: `f-${botId}`, bot_id: botId, line_user_id: `U-${botId}`, source: 'event' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await k
        .insertInto('postbacks')
        .values({
          bot_id: botId,
          webhook_event_id: `pb-${botId}`,
          friend_id: friend.id,
          data: 'menu',
          received_at: new Date(),
        })
        .execute();
    }
    const count = async (table: 'line_events' | 'postbacks', botId: string) =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((e) => e.fn.countAll().as('n'))
            .where('bot_id', '=', botId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect([await count('line_events', 'gone'), await count('postbacks', 'gone')]).toEqual([2, 1]);
    const shopEvents = await count('line_events', 'shop');

    await k.deleteFrom('bots').where('id', '=', 'gone').execute();
    expect([await count('line_events', 'gone'), await count('postbacks', 'gone')]).toEqual([0, 0]);
    expect(await count('line_events', 'shop')).toBe(shopEvents);
    expect(await count('postbacks', 'shop')).toBe(1);
  });
});
