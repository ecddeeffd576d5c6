import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRepository } from '../../db/conversations.ts';
import { encodeCursor } from '../../server/cursor.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';
import { errorFields, json, pageAll, type ApiPage as Page } from '../helpers/api.ts';

interface Conversation {
  id: string;
  friendId: string;
  friend: { displayName: string | null; pictureUrl: string | null; lineUserId: string };
  status: string;
  unreadCount: number;
  lastMessageAt: string | null;
}
interface Message {
  id: string;
  direction: string;
  type: string;
  lineMessageId: string | null;
  content: Record<string, unknown>;
  sentAt: string;
}

let w: LineWorld;
const t0 = Date.parse('2026-11-20T10:00:00.000Z');
const users: Record<string, string> = {};
/** The text messages Hana sent, in the order she sent them, with their LINE ids. */
const hanaSent: { text: string; lineMessageId: string; at: number }[] = [];

beforeAll(async () => {
  w = await openLineWorld();
  await w.settle();
  const m = w.line.events.message;
  users.hana = w.line.addUser({
    displayName: 'Hana',
    pictureUrl: 'https://example.com/h.png',
  }).userId;
  users.ken = w.line.addUser({ displayName: 'Ken' }).userId;
  users.read = w.line.addUser({ displayName: 'Already read' }).userId;
  users.pending = w.line.addUser({ displayName: 'Pending' }).userId;
  users.read2 = w.line.addUser({ displayName: 'Also read' }).userId;
  users.silent = w.line.addUser({ displayName: 'Silent' }, { friendOf: [] }).userId;
  users.silent2 = w.line.addUser({ displayName: 'Silent too' }, { friendOf: [] }).userId;

  const hana = [0, 1, 2, 3].map((i) =>
    m.text(users.hana!, `hana ${i}`, { timestamp: t0 + i * 1000 }),
  );
  for (const e of hana)
    hanaSent.push({
      text: e.message.type === 'text' ? e.message.text : '',
      lineMessageId: e.message.id,
      at: e.timestamp,
    });
  // Three messages in the same millisecond: only the id orders them.
  const same = t0 + 5000;
  await send([
    ...hana,
    m.text(users.ken!, 'ken a', { timestamp: same }),
    m.text(users.ken!, 'ken b', { timestamp: same }),
    m.sticker(users.ken!, { timestamp: same }),
    m.text(users.read!, 'read me', { timestamp: t0 + 9000 }),
    m.text(users.read2!, 'me too', { timestamp: t0 + 9000 }),
    m.text(users.pending!, 'later', { timestamp: t0 + 2500 }),
    w.line.events.follow(users.silent!),
    w.line.events.follow(users.silent2!),
  ]);
  await w.settle();

  const db = w.testDb.db.kysely;
  const friendId = async (lineUserId: string) =>
    (
      await db
        .selectFrom('friends')
        .select('id')
        .where('line_user_id', '=', lineUserId)
        .executeTakeFirstOrThrow()
    ).id;
  // Seen by staff; and a pending one. The console's write routes do this later.
  await db
    .updateTable('conversations')
    .set({ unread_count: 0 })
    .where('friend_id', 'in', [await friendId(users.read!), await friendId(users.read2!)])
    .execute();
  await db
    .updateTable('conversations')
    .set({ status: 'pending' })
    .where('friend_id', '=', await friendId(users.pending!))
    .execute();
  // Conversations without messages yet (opened before anyone wrote): sorted last.
  for (const silent of [users.silent!, users.silent2!])
    await new ConversationRepository(db).ensure(w.botId, await friendId(silent));
});
afterAll(() => w.close());

async function send(events: unknown[]) {
  const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, events as never);
  expect(res.status).toBe(200);
}
const conversations = (query = '', bot = w.botId) =>
  w.api('GET', `/api/bots/${bot}/conversations${query}`).then((r) => json<Page<Conversation>>(r));
const messages = (conversationId: string, query = '') =>
  w
    .api('GET', `/api/bots/${w.botId}/conversations/${conversationId}/messages${query}`)
    .then((r) => json<Page<Message>>(r));
const conversationOf = async (lineUserId: string) =>
  (await conversations('?limit=200')).items.find((c) => c.friend.lineUserId === lineUserId)!;

describe('GET /api/bots/{botId}/conversations', () => {
  it('lists unread first, then most recent, never-messaged last', async () => {
    const { items, nextCursor } = await conversations();
    expect(nextCursor).toBeNull();
    // Ties (same last message time, or none) are ordered by id.
    const byId = (names: string[]) =>
      items
        .filter((c) => names.includes(c.friend.displayName!))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((c) => c.friend.displayName);
    expect(items.map((c) => c.friend.displayName)).toEqual([
      'Ken', // unread, last at t0+5s
      'Hana', // unread, t0+3s
      'Pending', // unread, t0+2.5s
      ...byId(['Already read', 'Also read']), // read, though their t0+9s is the newest
      ...byId(['Silent', 'Silent too']), // read, and no message at all
    ]);
  });

  it('shows the friend, status, unread count and last message time', async () => {
    const hana = await conversationOf(users.hana!);
    expect(hana).toMatchObject({
      friend: {
        displayName: 'Hana',
        pictureUrl: 'https://example.com/h.png',
        lineUserId: users.hana,
      },
      status: 'open',
      unreadCount: 4,
      lastMessageAt: new Date(t0 + 3000).toISOString(),
    });
    const friend = await w.api('GET', `/api/bots/${w.botId}/friends/${hana.friendId}`);
    expect((await json<{ lineUserId: string }>(friend)).lineUserId).toBe(users.hana);
    expect(await conversationOf(users.silent!)).toMatchObject({
      unreadCount: 0,
      lastMessageAt: null,
    });
  });

  it('pages through everything with cursors, in the same order', async () => {
    const all = (await conversations()).items.map((c) => c.id);
    expect(all).toHaveLength(7);
    for (const limit of [1, 2, 3, 4, 7]) {
      const { items, pages } = await pageAll((q) => conversations(q), limit);
      expect(items.map((c) => c.id)).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it('filters by status', async () => {
    const pending = await conversations('?status=pending');
    expect(pending.items.map((c) => c.friend.lineUserId)).toEqual([users.pending]);
    expect(pending.items[0]!.status).toBe('pending');
    const open = await conversations('?status=open');
    expect(open.items.map((c) => c.status)).toEqual([
      'open',
      'open',
      'open',
      'open',
      'open',
      'open',
    ]);
    expect((await conversations('?status=resolved')).items).toEqual([]);
  });

  it('answers 400 to a bad status, limit or cursor', async () => {
    const get = (q: string) => w.api('GET', `/api/bots/${w.botId}/conversations${q}`);
    expect(await errorFields(await get('?status=closed'))).toEqual(['query.status']);
    expect(await errorFields(await get('?limit=0'))).toEqual(['query.limit']);
    expect(await errorFields(await get('?limit=500'))).toEqual(['query.limit']);
    const { nextCursor } = await conversations('?limit=1');
    for (const cursor of [
      nextCursor!.slice(0, -2),
      encodeCursor(['2026-01-01T00:00:00.000000Z', 'x']), // a friends cursor
      encodeCursor(['yes', null, 'x']),
    ]) {
      expect(await errorFields(await get(`?cursor=${encodeURIComponent(cursor)}`))).toEqual([
        'query.cursor',
      ]);
    }
  });
});

describe('GET /api/bots/{botId}/conversations/{conversationId}/messages', () => {
  it('lists a conversation’s messages newest first, with their content', async () => {
    const { items, nextCursor } = await messages((await conversationOf(users.hana!)).id);
    expect(nextCursor).toBeNull();
    expect(items).toEqual(
      [...hanaSent].reverse().map((s) => ({
        id: expect.any(String),
        direction: 'in',
        type: 'text',
        lineMessageId: s.lineMessageId,
        content: expect.objectContaining({ type: 'text', text: s.text }),
        sentAt: new Date(s.at).toISOString(),
      })),
    );
  });

  it('pages through messages, ties on sent_at included', async () => {
    for (const who of [users.hana!, users.ken!]) {
      const id = (await conversationOf(who)).id;
      const all = (await messages(id)).items;
      for (const limit of [1, 2]) {
        const { items, pages } = await pageAll((q) => messages(id, q), limit);
        expect(items).toEqual(all);
        expect(pages).toBe(Math.ceil(all.length / limit));
      }
    }
    const ken = (await messages((await conversationOf(users.ken!)).id)).items;
    expect(ken.map((m) => m.type).sort()).toEqual(['sticker', 'text', 'text']);
    expect(new Set(ken.map((m) => m.sentAt)).size).toBe(1);
    expect(ken.map((m) => m.id)).toEqual(
      ken
        .map((m) => m.id)
        .sort()
        .reverse(),
    );
  });

  it('gives an empty page for a conversation without messages', async () => {
    const silent = await conversationOf(users.silent!);
    expect(await messages(silent.id)).toEqual({ items: [], nextCursor: null });
  });

  it('answers 404 for an unknown conversation, 400 for a malformed id or cursor', async () => {
    const base = `/api/bots/${w.botId}/conversations`;
    const missing = await w.api('GET', `${base}/${crypto.randomUUID()}/messages`);
    expect((await json<{ error: { message: string } }>(missing, 404)).error.message).toBe(
      'conversation not found',
    );
    expect(await errorFields(await w.api('GET', `${base}/x.y/messages`))).toEqual([
      'param.conversationId',
    ]);
    const hana = await conversationOf(users.hana!);
    const res = await w.api('GET', `${base}/${hana.id}/messages?cursor=${encodeCursor([1, 2])}`);
    expect(await errorFields(res)).toEqual(['query.cursor']);
  });
});

describe('bot scoping and auth', () => {
  it('keeps another bot’s conversations apart', async () => {
    expect((await w.api('POST', '/api/bots', { id: 'other', name: 'Other' })).status).toBe(201);
    expect(await conversations('', 'other')).toEqual({ items: [], nextCursor: null });
    const hana = await conversationOf(users.hana!);
    const res = await w.api('GET', `/api/bots/other/conversations/${hana.id}/messages`);
    expect((await json<{ error: { code: string } }>(res, 404)).error.code).toBe('not_found');
  });

  it('answers 404 for an unknown bot', async () => {
    const hana = await conversationOf(users.hana!);
    for (const path of ['/conversations', `/conversations/${hana.id}/messages`]) {
      const res = await w.api('GET', `/api/bots/nobot${path}`);
      expect((await json<{ error: { message: string } }>(res, 404)).error.message).toBe(
        'bot not found',
      );
    }
  });

  it('refuses requests without the admin token', async () => {
    const hana = await conversationOf(users.hana!);
    for (const path of ['/conversations', `/conversations/${hana.id}/messages`]) {
      const res = await w.api('GET', `/api/bots/${w.botId}${path}`, undefined, null);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('hana');
    }
  });
});

describe('OpenAPI document', () => {
  it('describes the conversation routes and schemas', async () => {
    const doc = await json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, unknown> };
    }>(await w.api('GET', '/api/openapi.json'));
    expect(
      doc.paths['/api/bots/{botId}/conversations']?.get?.parameters?.map((p) => p.name).sort(),
    ).toEqual(['botId', 'cursor', 'limit', 'status']);
    expect(
      doc.paths['/api/bots/{botId}/conversations/{conversationId}/messages']?.get,
    ).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Conversation', 'ConversationPage', 'Message', 'MessagePage']),
    );
  });
});
