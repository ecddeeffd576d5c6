import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRepository, type IncomingMessage } from '../../db/conversations.ts';
import { insertBot } from '../helpers/carts.ts';
import { openTestDb, sequentialScansOf, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await insertBot(t.db, 'shop');
});
afterAll(() => t.close());

let n = 0;
const text = (lineUserId: string, at: number): IncomingMessage => {
  n += 1;
  return {
    lineUserId,
    type: 'text',
    lineMessageId: String(600_000_000_000 + n),
    content: { type: 'text', text: `message ${n}` },
    webhookEventId: `01JEVENT${String(n).padStart(18, '0')}`,
    sentAt: new Date(at),
  };
};

describe('ConversationRepository.addIncoming', () => {
  it('counts messages into their conversation with heap-only updates, and gives them ids in time order', async () => {
    const t0 = Date.parse('2026-12-01T09:00:00Z');
    const counts = await t.db.kysely.transaction().execute(async (trx) => {
      const conversations = new ConversationRepository(trx);
      // The first batch makes the friends and their conversations; the next ones only update.
      await conversations.addIncoming('shop', [text('Ua', t0), text('Ub', t0)]);
      const before = await sql<{ updated: string; hot: string }>`
        select pg_stat_get_xact_tuples_updated('conversations'::regclass) as updated,
          pg_stat_get_xact_tuples_hot_updated('conversations'::regclass) as hot`.execute(trx);
      for (let i = 1; i <= 3; i++)
        await conversations.addIncoming('shop', [text('Ua', t0 + i * 1000), text('Ub', t0 + i)]);
      const after = await sql<{ updated: string; hot: string }>`
        select pg_stat_get_xact_tuples_updated('conversations'::regclass) as updated,
          pg_stat_get_xact_tuples_hot_updated('conversations'::regclass) as hot`.execute(trx);
      return {
        updated: Number(after.rows[0]!.updated) - Number(before.rows[0]!.updated),
        hot: Number(after.rows[0]!.hot) - Number(before.rows[0]!.hot),
      };
    });
    // Three batches, two conversations each: every update stayed on its page, touching no index.
    expect(counts).toEqual({ updated: 6, hot: 6 });

    const rows = await t.db.kysely
      .selectFrom('conversations as c')
      .innerJoin('friends as f', 'f.id', 'c.friend_id')
      .select(['f.line_user_id', 'c.unread_count', 'c.last_message_at'])
      .orderBy('f.line_user_id')
      .execute();
    expect(rows.map((r) => [r.line_user_id, r.unread_count, new Date(r.last_message_at!)])).toEqual(
      [
        ['Ua', 4, new Date(t0 + 3000)],
        ['Ub', 4, new Date(t0 + 3)],
      ],
    );

    // UUIDv7, and stored in the order they were made.
    const ids = await t.db.kysely
      .selectFrom('messages')
      .select(['id', 'line_message_id'])
      .orderBy('line_message_id')
      .execute();
    expect(ids).toHaveLength(8);
    for (const { id } of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    const byId = [...ids].sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => r.line_message_id);
    const batches = (order: Array<string | null>) =>
      order.map((m) => Math.ceil(Number(m!.slice(-2)) / 2));
    expect(batches(byId)).toEqual(batches(ids.map((r) => r.line_message_id)));
  });

  it('finds the conversations it updates through their key, never reading every conversation', async () => {
    // A shop with thousands of friends, each with a conversation.
    await sql`
      with f as (
        insert into friends (id, bot_id, line_user_id, source)
        select gen_random_uuid()::text, 'shop', 'UMANY' || lpad(i::text, 27, '0'), 'follow'
        from generate_series(1, 4000) as i
        returning id)
      insert into conversations (id, bot_id, friend_id) select gen_random_uuid()::text, 'shop', id from f`.execute(
      t.db.kysely,
    );
    await sql`analyze friends`.execute(t.db.kysely);
    await sql`analyze conversations`.execute(t.db.kysely);
    const users = Array.from(
      { length: 100 },
      (_, i) => `UMANY${String(i * 37 + 1).padStart(27, '0')}`,
    );
    const at = Date.parse('2026-12-02T09:00:00Z');
    const seqScans = await sequentialScansOf(t.db, 'conversations', (trx) =>
      new ConversationRepository(trx).addIncoming(
        'shop',
        users.map((u, i) => text(u, at + i)),
      ),
    );
    expect(seqScans).toBe(0);
    const counted = await sql<{ n: number }>`
      select count(*)::int as n from conversations c join friends f on f.id = c.friend_id
      where f.line_user_id like 'UMANY%' and c.unread_count = 1 and c.last_message_at is not null`.execute(
      t.db.kysely,
    );
    expect(counted.rows[0]!.n).toBe(100);
  });
});
