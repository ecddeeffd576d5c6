import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepository } from '../../db/tags.ts';
import { richMenuSweepJob } from '../../jobs/rich-menus.ts';
import { RichMenuRepository } from '../../db/rich-menus.ts';
import { loadRichMenus } from '../../rich-menus/load.ts';
import { filterFriendSelector } from '../../rich-menus/select.ts';
import { applyRichMenus } from '../../rich-menus/sync.ts';
import { createLogger } from '../../server/logger.ts';
import { insertFriend } from '../helpers/carts.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld;
let vip: string;
const friends: Array<{ id: string; lineUserId: string }> = [];
const base = '/api/bots/shop';

beforeAll(async () => {
  w = await openLineWorld();
  const db = w.testDb.db;
  for (let i = 0; i < 20; i++) {
    const { userId } = w.line.addUser();
    friends.push({
      id: await insertFriend(db, 'shop', { lineUserId: userId }),
      lineUserId: userId,
    });
  }
  vip = (await new TagRepository(db.kysely).ensure('shop', ['VIP']))[0]!.id;
  await db.kysely
    .insertInto('friend_tags')
    .values(
      friends
        .slice(0, 5)
        .map((f) => ({ friend_id: f.id, tag_id: vip, bot_id: 'shop', source: 'staff' })),
    )
    .execute();
});
afterAll(async () => {
  await w.close();
});

const body = async (res: Response) => (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const applied = async () =>
  Object.fromEntries(
    (await new RichMenuRepository(w.testDb.db.kysely).applied('shop')).map((a) => [
      a.name,
      a.richMenuId,
    ]),
  );

describe('rich menus API', () => {
  it('lists the definitions, not applied yet', async () => {
    const res = await w.api('GET', `${base}/rich-menus`);
    expect(res.status).toBe(200);
    const list = await body(res);
    expect(list.items.map((i: { definition: { name: string } }) => i.definition.name)).toEqual([
      'tab-shop',
      'tab-member',
      'member',
    ]);
    expect(list.items[0].applied).toBeNull();
    expect(list.line).toEqual({ defaultRichMenuId: null, aliases: {} });
    expect(list.lastPass).toBeNull();
  });

  it('shows the live state once applied', async () => {
    const line = await w.kizuna.lineClients.get('shop');
    await applyRichMenus({
      botId: 'shop',
      line,
      repo: new RichMenuRepository(w.testDb.db.kysely),
      menus: await loadRichMenus(),
    });
    const ids = await applied();
    const list = await body(await w.api('GET', `${base}/rich-menus`));
    expect(list.items[2]).toMatchObject({ applied: { richMenuId: ids.member }, onLine: true });
    expect(list.line).toEqual({
      defaultRichMenuId: ids['tab-shop'],
      aliases: { 'tab-shop': ids['tab-shop'], 'tab-member': ids['tab-member'] },
    });
  });

  it('keeps the rules in order and refuses unknown menus and bad filters', async () => {
    const filter = { kind: 'tags', match: 'any', tagIds: [vip] };
    const a = await w.api('POST', `${base}/rich-menu-rules`, { menu: 'member', filter });
    expect(a.status).toBe(201);
    const first = await body(a);
    const b = await body(
      await w.api('POST', `${base}/rich-menu-rules`, {
        menu: 'tab-member',
        filter: { kind: 'and', filters: [] },
        position: 0,
      }),
    );
    let list = await body(await w.api('GET', `${base}/rich-menu-rules`));
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([b.id, first.id]);
    const moved = await w.api('PUT', `${base}/rich-menu-rules/${first.id}`, {
      menu: 'member',
      filter,
      position: 0,
    });
    expect((await body(moved)).position).toBe(0);
    list = await body(await w.api('GET', `${base}/rich-menu-rules`));
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([first.id, b.id]);
    expect((await w.api('DELETE', `${base}/rich-menu-rules/${b.id}`)).status).toBe(204);
    expect((await w.api('DELETE', `${base}/rich-menu-rules/${b.id}`)).status).toBe(404);

    const unknown = await w.api('POST', `${base}/rich-menu-rules`, { menu: 'nope', filter });
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).error.fields).toEqual([
      { field: 'menu', message: 'no rich menu "nope" is defined' },
    ]);
    const bad = await w.api('POST', `${base}/rich-menu-rules`, {
      menu: 'member',
      filter: { kind: 'tags', match: 'some', tagIds: [vip] },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.fields[0].field).toBe('filter.match');
  });

  it('reassigns now as a job: the rule’s friends get its menu', async () => {
    const res = await w.api('POST', `${base}/rich-menus/reassign`);
    expect(res.status).toBe(202);
    await w.settle();
    const ids = await applied();
    expect(friends.slice(0, 5).map((f) => w.line.richMenus.linkedTo(f.lineUserId))).toEqual(
      Array(5).fill(ids.member),
    );
    expect(w.line.richMenus.shownTo(friends[5]!.lineUserId)).toBe(ids['tab-shop']);
    const list = await body(await w.api('GET', `${base}/rich-menus`));
    expect(list.lastPass).toMatchObject({ linked: 5, unlinked: 0, calls: 1, error: null });
  });

  it('the minute pass re-links only friends whose tags changed since the last pass', async () => {
    const sweep = richMenuSweepJob({
      db: w.testDb.db,
      logger: createLogger('error'),
      lineFor: (botId) => w.kizuna.lineClients.get(botId),
      select: filterFriendSelector(),
    });
    const tags = new TagRepository(w.testDb.db.kysely);
    await tags.add('shop', friends[7]!.id, [{ id: vip, botId: 'shop', name: 'VIP' }], {
      source: 'staff',
    });
    const before = w.line.accepted.length;
    await sweep.handle({}, { jobId: 'test', signal: new AbortController().signal });
    const calls = w.line.accepted.slice(before).filter((r) => r.method === 'POST');
    expect(calls.map((c) => (c.body as { userIds: string[] }).userIds)).toEqual([
      [friends[7]!.lineUserId],
    ]);
    // A friend switched directly keeps the switch through the passes that follow.
    const switched = friends[8]!;
    await w.api('POST', `${base}/friends/${switched.id}/rich-menu`, { menu: 'tab-member' });
    await sweep.handle({}, { jobId: 'test', signal: new AbortController().signal });
    await w.api('POST', `${base}/rich-menus/reassign`);
    await w.settle();
    const ids = await applied();
    expect(w.line.richMenus.linkedTo(switched.lineUserId)).toBe(ids['tab-member']);
    // Nothing changed since: no call at all.
    const again = w.line.accepted.length;
    await sweep.handle({}, { jobId: 'test', signal: new AbortController().signal });
    expect(w.line.accepted.slice(again).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('a pass LINE interrupts is recorded, and the next one finishes the work', async () => {
    const sweep = richMenuSweepJob({
      db: w.testDb.db,
      logger: createLogger('error'),
      lineFor: (botId) => w.kizuna.lineClients.get(botId),
      select: filterFriendSelector(),
    });
    const ctx = { jobId: 'test', signal: new AbortController().signal };
    const f = friends[9]!;
    await new TagRepository(w.testDb.db.kysely).add(
      'shop',
      f.id,
      [{ id: vip, botId: 'shop', name: 'VIP' }],
      {
        source: 'staff',
      },
    );
    w.line.inject({ path: '/v2/bot/richmenu/bulk/link', status: 500 });
    await sweep.handle({}, ctx);
    const failed = await body(await w.api('GET', `${base}/rich-menus`));
    expect(failed.lastPass.error).toMatch(/^LINE failed linking 1 friends/);
    await sweep.handle({}, ctx);
    expect(w.line.richMenus.linkedTo(f.lineUserId)).toBe((await applied()).member);
    expect((await body(await w.api('GET', `${base}/rich-menus`))).lastPass).toMatchObject({
      linked: 1,
      error: null,
    });
  });

  it('switches one friend’s menu', async () => {
    const f = friends[12]!;
    const res = await w.api('POST', `${base}/friends/${f.id}/rich-menu`, { menu: 'tab-member' });
    expect(res.status).toBe(200);
    const ids = await applied();
    expect(await body(res)).toEqual({ richMenuId: ids['tab-member'] });
    expect(w.line.richMenus.linkedTo(f.lineUserId)).toBe(ids['tab-member']);
    expect(
      (await w.api('POST', `${base}/friends/${f.id}/rich-menu`, { menu: 'nope' })).status,
    ).toBe(400);
    expect(
      (await w.api('POST', `${base}/friends/missing/rich-menu`, { menu: 'member' })).status,
    ).toBe(404);
  });
});
