import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineInboxRepository } from '../../db/line-inbox.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld({ inbox: { maxAttempts: 3, vacuumAfterBodies: 4 } });
  await w.settle();
});
afterAll(() => w.close());

const db = () => w.testDb.db.kysely;
const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(db())).rows[0]!.n);

describe('exactly once', () => {
  it('keeps one friend, one message and one event for duplicates, concurrent duplicates and redeliveries', async () => {
    const user = w.line.addUser({}, { friendOf: [] });
    const follow = w.line.events.follow(user.userId);
    const message = w.line.events.message.text(user.userId, 'once');
    const url = w.webhookUrl;
    const channel = w.channel.channelId;
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => w.line.sendWebhook(url, channel, [follow, message])),
      w.line.sendWebhook(url, channel, [follow, message], { redelivery: true }),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(9).fill(200));
    await w.settle();
    // A redelivery after processing changes nothing either.
    await w.line.sendWebhook(url, channel, [message], { redelivery: true });
    await w.settle();
    expect(
      await count(sql`select count(*) as n from friends where line_user_id = ${user.userId}`),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*) as n from messages where line_message_id = ${message.message.id}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*) as n from line_events where webhook_event_id in (${follow.webhookEventId}, ${message.webhookEventId})`,
      ),
    ).toBe(2);
    const conversation = await sql<{ unread_count: number }>`
      select unread_count from conversations c join friends f on f.id = c.friend_id where f.line_user_id = ${user.userId}`.execute(
      db(),
    );
    expect(conversation.rows[0]!.unread_count).toBe(1);
    // One profile fetch per processed follow, not one per delivery.
    const profileCalls = w.line.accepted.filter((r) => r.path === `/v2/bot/profile/${user.userId}`);
    expect(profileCalls).toHaveLength(1);
  });

  it('retries a handler that throws without repeating what already happened', async () => {
    let calls = 0;
    w.kizuna.postbacks.register({
      name: 'flaky',
      matches: (d) => d === 'flaky',
      handle: async () => {
        calls += 1;
        if (calls === 1) throw new Error('transient failure');
      },
    });
    const user = w.line.addUser();
    const flaky = w.line.events.postback(user.userId, 'flaky');
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [flaky]);
    await w.settle();
    expect(calls).toBe(2);
    expect(
      await count(
        sql`select count(*) as n from postbacks where webhook_event_id = ${flaky.webhookEventId}`,
      ),
    ).toBe(1);
    const row = await db()
      .selectFrom('line_events')
      .select(['state', 'attempts'])
      .where('webhook_event_id', '=', flaky.webhookEventId)
      .executeTakeFirst();
    // The batch's fast path failed; the same claim re-ran the event in isolation and it succeeded.
    expect(row).toEqual({ state: 'done', attempts: 1 });
  });

  it('ends a poison event in the failed state with its error while the rest keep flowing', async () => {
    w.kizuna.postbacks.register({
      name: 'poison',
      matches: (d) => d === 'poison',
      handle: async () => {
        throw new Error('this postback can never be handled');
      },
    });
    const user = w.line.addUser();
    const poison = w.line.events.postback(user.userId, 'poison');
    const fine = w.line.events.message.text(user.userId, 'after the poison');
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [poison, fine]);
    await w.settle();
    const rows = await db()
      .selectFrom('line_events')
      .select(['webhook_event_id', 'state', 'attempts', 'last_error'])
      .where('webhook_event_id', 'in', [poison.webhookEventId, fine.webhookEventId])
      .execute();
    const byId = Object.fromEntries(rows.map((r) => [r.webhook_event_id, r]));
    expect(byId[poison.webhookEventId]).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_error: 'this postback can never be handled',
    });
    expect(byId[fine.webhookEventId]).toMatchObject({ state: 'done' });
    // The poison postback's own writes were rolled back with it.
    expect(
      await count(
        sql`select count(*) as n from postbacks where webhook_event_id = ${poison.webhookEventId}`,
      ),
    ).toBe(0);
  });

  it('takes over an event whose worker died mid-claim once its lease expires', async () => {
    const user = w.line.addUser();
    const message = w.line.events.message.text(user.userId, 'orphaned');
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [message]);
    // A worker takes it in as pending (a batch failed), claims it and dies: the row stays
    // 'processing' with a lease.
    await new LineInboxRepository(db()).take(db(), 100, 'pending');
    await sql`update line_events set state = 'processing', attempts = 1, locked_until = now() + interval '1 hour' where webhook_event_id = ${message.webhookEventId}`.execute(
      db(),
    );
    expect(await w.kizuna.processor.drain()).toBe(0);
    await sql`update line_events set locked_until = now() - interval '1 second' where webhook_event_id = ${message.webhookEventId}`.execute(
      db(),
    );
    await w.settle();
    expect(
      await count(
        sql`select count(*) as n from messages where line_message_id = ${message.message.id}`,
      ),
    ).toBe(1);
  });
});

describe('the inbox', () => {
  const append = (botId: string, body: string) =>
    new LineInboxRepository(db()).append([{ botId, body: new TextEncoder().encode(body) }]);

  it('drops the bodies of a bot deleted before they were taken in, and takes in the rest', async () => {
    const user = w.line.addUser();
    const orphan = w.line.events.message.text(user.userId, 'to a deleted bot');
    const kept = w.line.events.message.text(user.userId, 'to the shop');
    await append('deleted-bot', JSON.stringify({ destination: 'U0', events: [orphan] }));
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [kept]);
    await w.settle();
    expect(await count(sql`select count(*) as n from line_inbox`)).toBe(0);
    const ids = [orphan.webhookEventId, kept.webhookEventId];
    const rows = await db()
      .selectFrom('line_events')
      .select(['webhook_event_id', 'state'])
      .where('webhook_event_id', 'in', ids)
      .execute();
    expect(rows).toEqual([{ webhook_event_id: kept.webhookEventId, state: 'done' }]);
  });

  it('sets aside a body it cannot read, with the error, while the bodies behind it flow', async () => {
    const user = w.line.addUser();
    await append(w.botId, '{"destination":"U0","events":[{"type":"message"'); // cut short
    const after = w.line.events.message.text(user.userId, 'behind the unreadable body');
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [after]);
    await w.settle();
    expect(
      await count(
        sql`select count(*) as n from messages where line_message_id = ${after.message.id}`,
      ),
    ).toBe(1);
    const aside = await db().selectFrom('line_inbox').select(['bot_id', 'last_error']).execute();
    expect(aside).toHaveLength(1);
    expect(aside[0]!.bot_id).toBe(w.botId);
    expect(aside[0]!.last_error).toMatch(/json/i);
    // Set aside for good: later passes neither retry it nor stall on it.
    expect(await w.kizuna.processor.drain()).toBe(0);
    // Nothing waits any more, so there is no lag either.
    expect(await new LineInboxRepository(db()).backlog()).toEqual({
      waiting: 0,
      setAside: 1,
      oldestWaitingSeconds: 0,
    });
    await sql`delete from line_inbox`.execute(db());
  });

  it('vacuums the inbox once a backlog has been taken in and it has caught up, large bodies included', async () => {
    const vacuums = () =>
      count(
        sql`select coalesce(vacuum_count, 0) as n from pg_stat_all_tables where relname = 'line_inbox'`,
      );
    await w.settle();
    const before = await vacuums();
    const user = w.line.addUser();
    // Bodies of 75 KB (five texts of 5,000 characters, LINE's limit) are stored out of line, so
    // the vacuum has enough to do to reach its cost limit (on PGlite, pausing there stopped the
    // database).
    for (let i = 0; i < 5; i++)
      await w.line.sendWebhook(
        w.webhookUrl,
        w.channel.channelId,
        Array.from({ length: 5 }, (_, j) =>
          w.line.events.message.text(user.userId, `${i}-${j}`.padEnd(5000, 'あ')),
        ),
      );
    await w.settle();
    // The vacuum's statistics reach the view a moment later on PostgreSQL.
    for (let i = 0; i < 50 && (await vacuums()) === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await vacuums()).toBe(before + 1);
    expect(await count(sql`select count(*) as n from line_inbox`)).toBe(0);
    expect(
      await count(
        sql`select count(*) as n from messages m join friends f on f.id = (select friend_id from conversations where id = m.conversation_id) where f.line_user_id = ${user.userId}`,
      ),
    ).toBe(25);
  });
});
