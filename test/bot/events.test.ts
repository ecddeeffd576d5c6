import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld();
  await w.settle();
});
afterAll(() => w.close());

const db = () => w.testDb.db.kysely;
const send = async (events: unknown[], opts: { redelivery?: boolean } = {}) => {
  const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, events as never, opts);
  expect(res.status).toBe(200);
};
const friend = (lineUserId: string) =>
  db().selectFrom('friends').selectAll().where('line_user_id', '=', lineUserId).executeTakeFirst();

describe('follow and unfollow', () => {
  it('creates a friend on follow and fills the profile from Get Profile', async () => {
    const user = w.line.addUser(
      { displayName: '山田 花子', language: 'ja', pictureUrl: 'https://example.com/p.png' },
      { friendOf: [] },
    );
    const follow = w.line.events.follow(user.userId);
    await send([follow]);
    await w.settle();
    const row = await friend(user.userId);
    expect(row).toMatchObject({
      bot_id: w.botId,
      display_name: '山田 花子',
      language: 'ja',
      picture_url: 'https://example.com/p.png',
      source: 'follow',
      blocked_at: null,
    });
    expect(row!.first_followed_at?.getTime()).toBe(follow.timestamp);
    expect(w.line.specViolations).toEqual([]);
  });

  it('marks a block, and clears it on unblock while keeping the first follow date', async () => {
    const user = w.line.addUser({}, { friendOf: [] });
    const first = w.line.events.follow(user.userId);
    await send([first]);
    const unfollow = { ...w.line.events.unfollow(user.userId), timestamp: first.timestamp + 1000 };
    await send([unfollow]);
    await w.settle();
    expect((await friend(user.userId))!.blocked_at?.getTime()).toBe(unfollow.timestamp);
    const again = {
      ...w.line.events.follow(user.userId, { isUnblocked: true }),
      timestamp: first.timestamp + 2000,
    };
    await send([again]);
    await w.settle();
    const row = await friend(user.userId);
    expect(row!.blocked_at).toBeNull();
    expect(row!.first_followed_at?.getTime()).toBe(first.timestamp);
    expect(row!.last_followed_at?.getTime()).toBe(again.timestamp);
  });

  it('converges when an unfollow is processed after a later follow', async () => {
    const user = w.line.addUser({}, { friendOf: [] });
    const follow = w.line.events.follow(user.userId);
    const olderUnfollow = {
      ...w.line.events.unfollow(user.userId),
      timestamp: follow.timestamp - 5000,
    };
    await send([follow]);
    await w.settle();
    await send([olderUnfollow]);
    await w.settle();
    expect((await friend(user.userId))!.blocked_at).toBeNull();
  });

  it('records the friend-add route the user came through', async () => {
    await db()
      .insertInto('routes')
      .values({ id: 'route-instagram', bot_id: w.botId, code: 'ig', name: 'Instagram profile' })
      .execute();
    const user = w.line.addUser({}, { friendOf: [] });
    await db()
      .insertInto('route_visits')
      .values({
        bot_id: w.botId,
        route_id: 'route-instagram',
        line_user_id: user.userId,
        visited_at: new Date(Date.now() - 60_000),
      })
      .execute();
    await send([w.line.events.follow(user.userId)]);
    await w.settle();
    expect((await friend(user.userId))!.route_id).toBe('route-instagram');
  });
});

describe('a batch of many friends at once', () => {
  it('gives each friend its events in order while storing the batch set-based', async () => {
    const seen: string[] = [];
    w.kizuna.postbacks.register({
      name: 'batch',
      matches: (d) => d.startsWith('batch:'),
      handle: async (ctx) => void seen.push(`${ctx.lineUserId}:${ctx.data}`),
    });
    const [a, b, c] = [1, 2, 3].map((n) => w.line.addUser({ displayName: `一括${n}` }));
    const t = Date.now() - 10_000;
    const at = (n: number, e: object) => ({ ...e, timestamp: t + n });
    // One webhook body, so one claim: a follows, blocks and comes back; b talks; c presses a menu.
    await send([
      at(0, w.line.events.follow(a!.userId)),
      at(1, w.line.events.message.text(b!.userId, 'one')),
      at(2, w.line.events.unfollow(a!.userId)),
      at(3, w.line.events.postback(c!.userId, 'batch:first')),
      at(4, w.line.events.message.text(b!.userId, 'two')),
      at(5, w.line.events.follow(a!.userId, { isUnblocked: true })),
      at(6, w.line.events.postback(c!.userId, 'batch:second')),
      at(7, w.line.events.message.text(a!.userId, 'back')),
    ]);
    await w.settle();
    const rowA = await friend(a!.userId);
    expect(rowA).toMatchObject({ blocked_at: null, display_name: '一括1' });
    expect(rowA!.first_followed_at?.getTime()).toBe(t);
    expect(rowA!.last_followed_at?.getTime()).toBe(t + 5);
    expect(await friend(c!.userId)).toMatchObject({ source: 'event', display_name: '一括3' });
    expect(seen).toEqual([`${c!.userId}:batch:first`, `${c!.userId}:batch:second`]);
    const texts = await sql<{ line_user_id: string; text: string }>`
      select f.line_user_id, m.content->>'text' as text from messages m
      join conversations cv on cv.id = m.conversation_id join friends f on f.id = cv.friend_id
      where f.line_user_id in (${a!.userId}, ${b!.userId}) order by m.sent_at`.execute(db());
    expect(texts.rows).toEqual([
      { line_user_id: b!.userId, text: 'one' },
      { line_user_id: b!.userId, text: 'two' },
      { line_user_id: a!.userId, text: 'back' },
    ]);
    const states = await sql<{ state: string; n: number }>`
      select state, count(*)::int as n from line_events where line_user_id in (${a!.userId}, ${b!.userId}, ${c!.userId})
      group by state`.execute(db());
    expect(states.rows).toEqual([{ state: 'done', n: 8 }]);
  });
});

describe('messages', () => {
  it('stores every content type in the friend’s conversation, media as a reference', async () => {
    const user = w.line.addUser({ displayName: 'Taro' });
    const m = w.line.events.message;
    const events = [
      m.text(user.userId, 'こんにちは'),
      m.sticker(user.userId),
      m.image(user.userId),
      m.video(user.userId),
      m.audio(user.userId),
      m.file(user.userId),
      m.location(user.userId),
    ];
    await send(events);
    await w.settle();
    const stored = await sql<{ type: string; content: Record<string, unknown>; direction: string }>`
      select m.type, m.content, m.direction from messages m join conversations c on c.id = m.conversation_id
      join friends f on f.id = c.friend_id where f.line_user_id = ${user.userId} order by m.sent_at`.execute(
      db(),
    );
    expect(stored.rows.map((r) => r.type).sort()).toEqual([
      'audio',
      'file',
      'image',
      'location',
      'sticker',
      'text',
      'video',
    ]);
    expect(stored.rows.every((r) => r.direction === 'in')).toBe(true);
    const text = stored.rows.find((r) => r.type === 'text')!;
    expect(text.content).toMatchObject({ type: 'text', text: 'こんにちは' });
    const image = stored.rows.find((r) => r.type === 'image')!;
    expect(image.content).toMatchObject({
      media: { provider: 'line', messageId: (events[2] as { message: { id: string } }).message.id },
    });
    const conversation = await sql<{ unread_count: number; status: string }>`
      select unread_count, status from conversations c join friends f on f.id = c.friend_id where f.line_user_id = ${user.userId}`.execute(
      db(),
    );
    expect(conversation.rows[0]).toEqual({ unread_count: 7, status: 'open' });
  });

  it('creates a friend, profile included, for a user who followed before Kizuna was connected', async () => {
    const user = w.line.addUser({ displayName: '昔からの友だち' });
    await send([w.line.events.message.text(user.userId, 'hi')]);
    await w.settle();
    expect(await friend(user.userId)).toMatchObject({
      display_name: '昔からの友だち',
      source: 'event',
    });
  });
});

describe('postbacks and account links', () => {
  it('stores postbacks and routes them to the registered handler', async () => {
    const seen: string[] = [];
    w.kizuna.postbacks.register({
      name: 'menu',
      matches: (d) => d.startsWith('menu:'),
      handle: async (ctx) => void seen.push(ctx.data),
    });
    const user = w.line.addUser();
    const events = [
      w.line.events.postback(user.userId, 'menu:orders'),
      w.line.events.postback(user.userId, 'other=1', { date: '2026-11-23' }),
    ];
    await send(events);
    await w.settle();
    expect(seen).toEqual(['menu:orders']);
    const rows = await db()
      .selectFrom('postbacks')
      .select(['webhook_event_id', 'data', 'handler', 'params', 'received_at'])
      .where('data', 'in', ['menu:orders', 'other=1'])
      .orderBy('data')
      .execute();
    expect(rows.map((r) => ({ ...r, received_at: new Date(r.received_at).getTime() }))).toEqual(
      events.map((e, i) => ({
        webhook_event_id: e.webhookEventId,
        data: e.postback.data,
        handler: i === 0 ? 'menu' : null,
        params: i === 0 ? null : { date: '2026-11-23' },
        received_at: e.timestamp,
      })),
    );
  });

  it('records account-link events', async () => {
    const user = w.line.addUser();
    await send([w.line.events.accountLink(user.userId, 'nonce-123', 'ok')]);
    await w.settle();
    const row = await db()
      .selectFrom('account_links')
      .select(['nonce', 'result'])
      .executeTakeFirst();
    expect(row).toEqual({ nonce: 'nonce-123', result: 'ok' });
  });
});
