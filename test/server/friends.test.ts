import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../server/cursor.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';
import { errorFields, json } from '../helpers/api.ts';

interface Friend {
  id: string;
  lineUserId: string;
  displayName: string | null;
  followStatus: string;
  firstFollowedAt: string | null;
  blockedAt: string | null;
  createdAt: string;
}
interface FriendPage {
  items: Friend[];
  nextCursor: string | null;
}

let w: LineWorld;
const users: Record<string, string> = {};
let followedAt = 0;

beforeAll(async () => {
  w = await openLineWorld();
  // Followers before the first settle are on LINE's list when the bot's follower import runs.
  users.imported1 = w.line.addUser({ displayName: 'Imported One' }).userId;
  users.imported2 = w.line.addUser({ displayName: 'Imported Two' }).userId;
  await w.settle();

  users.follower = w.line.addUser(
    { displayName: '山田 花子', language: 'ja', pictureUrl: 'https://example.com/h.png' },
    { friendOf: [] },
  ).userId;
  const follow = w.line.events.follow(users.follower);
  followedAt = follow.timestamp;
  users.blocker = w.line.addUser({}, { friendOf: [] }).userId;
  users.talker = w.line.addUser({ displayName: 'Talker' }).userId;
  await send([follow, w.line.events.follow(users.blocker)]);
  await send([
    { ...w.line.events.unfollow(users.blocker), timestamp: Date.now() + 1000 },
    w.line.events.message.text(users.talker, 'hello'),
  ]);
  for (let i = 0; i < 6; i++) {
    const id = w.line.addUser({}, { friendOf: [] }).userId;
    users[`extra${i}`] = id;
    await send([w.line.events.follow(id)]);
    // One batch shares one transaction time: settle each, so each gets a later created_at.
    await w.settle();
  }
  await w.settle();
});
afterAll(() => w.close());

async function send(events: unknown[]) {
  const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, events as never);
  expect(res.status).toBe(200);
}
const list = (query = '', bot = w.botId) =>
  w.api('GET', `/api/bots/${bot}/friends${query}`).then((r) => json<FriendPage>(r));

describe('GET /api/bots/{botId}/friends', () => {
  it('lists every friend once, newest first', async () => {
    const { items, nextCursor } = await list();
    expect(nextCursor).toBeNull();
    expect(items.map((f) => f.lineUserId).sort()).toEqual(Object.values(users).sort());
    const keys = items.map((f) => [f.createdAt, f.id] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1,
    );
    expect(keys).toEqual(sorted);
    // The newest friend came last through the webhook.
    expect(items[0]!.lineUserId).toBe(users.extra5);
  });

  it('shows profile, follow dates and follow status', async () => {
    const byUser = new Map((await list()).items.map((f) => [f.lineUserId, f]));
    expect(byUser.get(users.follower!)).toMatchObject({
      displayName: '山田 花子',
      pictureUrl: 'https://example.com/h.png',
      language: 'ja',
      followStatus: 'following',
      firstFollowedAt: new Date(followedAt).toISOString(),
      lastFollowedAt: new Date(followedAt).toISOString(),
      blockedAt: null,
      routeId: null,
    });
    expect(byUser.get(users.blocker!)!.followStatus).toBe('blocked');
    expect(byUser.get(users.blocker!)!.blockedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    // Known from a message only: no follow was ever seen.
    expect(byUser.get(users.talker!)).toMatchObject({
      followStatus: 'unknown',
      firstFollowedAt: null,
      displayName: 'Talker',
    });
    // On LINE's follower list at import: following, though no follow event arrived.
    expect(byUser.get(users.imported1!)).toMatchObject({
      followStatus: 'following',
      firstFollowedAt: null,
      displayName: 'Imported One',
    });
  });

  it('pages through everything with cursors, ties on created_at included', async () => {
    // Four friends created at the same instant: only the id orders them.
    const tied = [users.extra1!, users.extra2!, users.extra3!, users.extra4!];
    await w.testDb.db.kysely
      .updateTable('friends')
      .set({ created_at: new Date('2026-01-01T00:00:00.123Z') })
      .where('line_user_id', 'in', tied)
      .execute();
    const all = (await list('?limit=200')).items.map((f) => f.id);
    for (const limit of [1, 2, 3, 4, 200]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await list(query);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((f) => f.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
    }
  });

  it('defaults to 50 a page', async () => {
    const page = await list();
    expect(page.items).toHaveLength(Object.keys(users).length);
    expect(Object.keys(users).length).toBeLessThan(50);
  });

  it('filters by LINE user id', async () => {
    const { items, nextCursor } = await list(`?lineUserId=${users.follower}`);
    expect(items.map((f) => f.lineUserId)).toEqual([users.follower]);
    expect(nextCursor).toBeNull();
    expect((await list(`?lineUserId=U${'0'.repeat(32)}`)).items).toEqual([]);
  });

  it('answers 400 naming the bad query field', async () => {
    const get = (q: string) => w.api('GET', `/api/bots/${w.botId}/friends${q}`);
    for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?limit=1.5'])
      expect(await errorFields(await get(q))).toEqual(['query.limit']);
    expect(await errorFields(await get('?lineUserId=someone'))).toEqual(['query.lineUserId']);
    expect(await errorFields(await get('?limit=0&lineUserId=x'))).toEqual(
      expect.arrayContaining(['query.limit', 'query.lineUserId']),
    );
  });

  it('refuses a tampered or foreign cursor with 400 on query.cursor', async () => {
    const { nextCursor } = await list('?limit=1');
    expect(nextCursor).toEqual(expect.any(String));
    const flipped =
      nextCursor!.slice(0, 5) + (nextCursor![5] === 'A' ? 'B' : 'A') + nextCursor!.slice(6);
    const bad = [
      flipped,
      'not a cursor!',
      '',
      encodeCursor({ createdAt: 'x' }),
      encodeCursor(['2026-02-30T00:00:00.000000Z', 'x']), // no such day
      encodeCursor(['2026-01-01T00:00:00Z', 'x']), // not the precision the server writes
      encodeCursor([true, null, 'x']), // a conversations cursor
    ];
    for (const cursor of bad) {
      const res = await w.api(
        'GET',
        `/api/bots/${w.botId}/friends?cursor=${encodeURIComponent(cursor)}`,
      );
      expect(await errorFields(res), cursor).toEqual(['query.cursor']);
    }
  });
});

describe('GET /api/bots/{botId}/friends/{friendId}', () => {
  it('reads one friend, the same as listed', async () => {
    const listed = (await list(`?lineUserId=${users.follower}`)).items[0]!;
    const res = await w.api('GET', `/api/bots/${w.botId}/friends/${listed.id}`);
    expect(await json<Friend>(res)).toEqual(listed);
  });

  it('answers 404 for an unknown friend and 400 for a malformed id', async () => {
    const missing = await w.api('GET', `/api/bots/${w.botId}/friends/${crypto.randomUUID()}`);
    const body = await json<{ error: { code: string; message: string } }>(missing, 404);
    expect(body.error).toMatchObject({ code: 'not_found', message: 'friend not found' });
    const malformed = await w.api('GET', `/api/bots/${w.botId}/friends/bad%20id!`);
    expect(await errorFields(malformed)).toEqual(['param.friendId']);
  });
});

describe('GET /api/bots/{botId}/follower-import', () => {
  it('reports the import of existing followers', async () => {
    const res = await w.api('GET', `/api/bots/${w.botId}/follower-import`);
    const body = await json<Record<string, unknown>>(res);
    expect(body).toMatchObject({ state: 'done', imported: 2, error: null });
    expect(Date.parse(body.startedAt as string)).toBeLessThanOrEqual(
      Date.parse(body.finishedAt as string),
    );
  });
});

describe('bot scoping and auth', () => {
  it('keeps another bot’s lists empty and its ids unreachable', async () => {
    const created = await w.api('POST', '/api/bots', { id: 'other', name: 'Other shop' });
    expect(created.status).toBe(201);
    expect(await list('', 'other')).toEqual({ items: [], nextCursor: null });
    expect(await list(`?lineUserId=${users.follower}`, 'other')).toEqual({
      items: [],
      nextCursor: null,
    });
    const ours = (await list(`?lineUserId=${users.follower}`)).items[0]!;
    const res = await w.api('GET', `/api/bots/other/friends/${ours.id}`);
    expect((await json<{ error: { code: string } }>(res, 404)).error.code).toBe('not_found');
    // No channel token, so no import was ever started.
    expect((await w.api('GET', '/api/bots/other/follower-import')).status).toBe(404);
  });

  it('answers 404 for an unknown bot and 400 for a malformed bot id', async () => {
    for (const path of ['/friends', `/friends/${crypto.randomUUID()}`, '/follower-import']) {
      const res = await w.api('GET', `/api/bots/nobot${path}`);
      const body = await json<{ error: { message: string } }>(res, 404);
      expect(body.error.message).toBe('bot not found');
    }
    expect(await errorFields(await w.api('GET', '/api/bots/Bad%20Bot/friends'))).toEqual([
      'param.botId',
    ]);
  });

  it('refuses requests without the admin token', async () => {
    const friend = (await list()).items[0]!;
    for (const path of ['/friends', `/friends/${friend.id}`, '/follower-import']) {
      const res = await w.api('GET', `/api/bots/${w.botId}${path}`, undefined, null);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(friend.lineUserId);
    }
  });
});

describe('OpenAPI document', () => {
  it('describes the friend routes and schemas', async () => {
    const doc = await json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, unknown> };
    }>(await w.api('GET', '/api/openapi.json'));
    const listOp = doc.paths['/api/bots/{botId}/friends']?.get;
    expect(listOp?.parameters?.map((p) => p.name).sort()).toEqual(
      ['botId', 'cursor', 'filter', 'limit', 'lineUserId'].sort(),
    );
    expect(doc.paths['/api/bots/{botId}/friends/{friendId}']?.get).toBeDefined();
    expect(doc.paths['/api/bots/{botId}/follower-import']?.get).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Friend', 'FriendPage', 'FollowerImport']),
    );
  });
});
