import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepository } from '../../db/tags.ts';
import { reassignRichMenus, switchRichMenu } from '../../rich-menus/assign.ts';
import { loadRichMenus } from '../../rich-menus/load.ts';
import { filterFriendSelector } from '../../rich-menus/select.ts';
import { applyRichMenus, type LoadedRichMenu } from '../../rich-menus/sync.ts';
import { insertFriend } from '../helpers/carts.ts';
import { openMenuWorld, type MenuWorld } from './world.ts';

let w: MenuWorld;
let menus: LoadedRichMenu[];
let tags: TagRepository;
let vipTag: string;
const friends: Array<{ id: string; lineUserId: string }> = [];
let menuId: Record<string, string>;

beforeAll(async () => {
  w = await openMenuWorld();
  menus = await loadRichMenus();
  tags = new TagRepository(w.t.db.kysely);
  await applyRichMenus({ botId: 'shop', line: w.client, repo: w.repo, menus });
  menuId = Object.fromEntries((await w.repo.applied('shop')).map((a) => [a.name, a.richMenuId]));
  vipTag = (await tags.ensure('shop', ['VIP']))[0]!.id;
  // 1,200 friends on LINE and in Kizuna; the first 700 are VIP.
  for (let i = 0; i < 1200; i++) {
    const { userId } = w.line.addUser();
    const id = await insertFriend(w.t.db, 'shop', { lineUserId: userId });
    friends.push({ id, lineUserId: userId });
  }
  await w.t.db.kysely
    .insertInto('friend_tags')
    .values(
      friends
        .slice(0, 700)
        .map((f) => ({ friend_id: f.id, tag_id: vipTag, bot_id: 'shop', source: 'staff' })),
    )
    .execute();
  await w.repo.createRule('shop', {
    menu: 'member',
    filter: { kind: 'tags', match: 'any', tagIds: [vipTag] },
  });
});
afterAll(async () => {
  await w.close();
});

const reassign = (friendIds?: string[]) =>
  reassignRichMenus({
    db: w.t.db.kysely,
    line: w.client,
    botId: 'shop',
    select: filterFriendSelector(),
    ...(friendIds ? { friendIds } : {}),
  });
const bulkCalls = (since: number) =>
  w.mutations(since) as Array<{ path: string; body: { userIds: string[]; richMenuId?: string } }>;

describe('per-friend rich menus: reassign', () => {
  it('links the friends a rule selects in bulk calls of at most 500, leaving the others on the default', async () => {
    const before = w.line.accepted.length;
    const report = await reassign();
    expect(report).toMatchObject({ linked: 700, unlinked: 0, unchanged: 500, calls: 2 });
    const calls = bulkCalls(before);
    expect(calls.map((c) => [c.path, c.body.userIds.length])).toEqual([
      ['/v2/bot/richmenu/bulk/link', 500],
      ['/v2/bot/richmenu/bulk/link', 200],
    ]);
    expect(w.line.richMenus.shownTo(friends[0]!.lineUserId)).toBe(menuId.member);
    expect(w.line.richMenus.shownTo(friends[699]!.lineUserId)).toBe(menuId.member);
    expect(w.line.richMenus.shownTo(friends[700]!.lineUserId)).toBe(menuId['tab-shop']);
  });

  it('touches no one when nothing changed', async () => {
    const before = w.line.accepted.length;
    expect(await reassign()).toMatchObject({ linked: 0, unlinked: 0, unchanged: 1200, calls: 0 });
    expect(w.mutations(before)).toEqual([]);
  });

  it('after tag changes, re-links only the friends whose menu changes', async () => {
    const lost = friends.slice(0, 3);
    const gained = friends.slice(1000, 1002);
    await w.t.db.kysely
      .deleteFrom('friend_tags')
      .where(
        'friend_id',
        'in',
        lost.map((f) => f.id),
      )
      .execute();
    for (const f of gained)
      await tags.add('shop', f.id, [{ id: vipTag, botId: 'shop', name: 'VIP' }], {
        source: 'staff',
      });
    const before = w.line.accepted.length;
    expect(await reassign()).toMatchObject({ linked: 2, unlinked: 3, calls: 2 });
    const calls = bulkCalls(before)
      .map((c) => ({ path: c.path, menu: c.body.richMenuId, users: [...c.body.userIds].sort() }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const ids = (list: typeof friends) => list.map((f) => f.lineUserId).sort();
    expect(calls).toEqual([
      { path: '/v2/bot/richmenu/bulk/link', menu: menuId.member, users: ids(gained) },
      { path: '/v2/bot/richmenu/bulk/unlink', menu: undefined, users: ids(lost) },
    ]);
    expect(w.line.richMenus.shownTo(lost[0]!.lineUserId)).toBe(menuId['tab-shop']);
    expect(w.line.richMenus.shownTo(gained[0]!.lineUserId)).toBe(menuId.member);
  });

  it('limited to some friends, looks at those only', async () => {
    const f = friends[1100]!;
    await tags.add('shop', f.id, [{ id: vipTag, botId: 'shop', name: 'VIP' }], { source: 'staff' });
    const report = await reassign([f.id, friends[5]!.id]);
    expect(report).toMatchObject({ linked: 1, unlinked: 0, unchanged: 1, calls: 1 });
  });

  it('the first matching rule wins', async () => {
    const rule = await w.repo.createRule('shop', {
      menu: 'tab-member',
      filter: { kind: 'and', filters: [] },
      position: 0,
    });
    try {
      const report = await reassign();
      // Everyone now matches the first rule: all 1,200 move to tab-member.
      expect(report).toMatchObject({ linked: 1200, calls: 3 });
      expect(w.line.richMenus.shownTo(friends[0]!.lineUserId)).toBe(menuId['tab-member']);
    } finally {
      await w.repo.deleteRule('shop', rule.id);
    }
    await reassign();
    expect(w.line.richMenus.shownTo(friends[10]!.lineUserId)).toBe(menuId.member);
  });

  it('switches one friend’s menu at once, and records it', async () => {
    const f = friends[900]!;
    await switchRichMenu(w.t.db.kysely, w.client, 'shop', f.id, 'tab-member');
    expect(w.line.richMenus.linkedTo(f.lineUserId)).toBe(menuId['tab-member']);
    const row = await w.t.db.kysely
      .selectFrom('friend_rich_menus')
      .select('rich_menu_id')
      .where('friend_id', '=', f.id)
      .executeTakeFirstOrThrow();
    expect(row.rich_menu_id).toBe(menuId['tab-member']);
    // A full pass leaves the switch alone; a change to the friend re-evaluates them.
    expect(await reassign()).toMatchObject({ linked: 0, unlinked: 0, calls: 0 });
    expect(w.line.richMenus.linkedTo(f.lineUserId)).toBe(menuId['tab-member']);
    expect(await reassign([f.id])).toMatchObject({ unlinked: 1, calls: 1 });
    expect(w.line.richMenus.linkedTo(f.lineUserId)).toBeUndefined();
    await switchRichMenu(w.t.db.kysely, w.client, 'shop', f.id, 'tab-member');
    await expect(switchRichMenu(w.t.db.kysely, w.client, 'shop', f.id, 'nope')).rejects.toThrow(
      'rich menu "nope" is not applied',
    );
  });

  it('a re-applied menu moves its friends to the new menu before the old one is deleted', async () => {
    const changed = menus.map((m) =>
      m.definition.name === 'member'
        ? { ...m, definition: { ...m.definition, chatBarText: '会員' } }
        : m,
    );
    const oldMember = menuId.member!;
    const report = await applyRichMenus({
      botId: 'shop',
      line: w.client,
      repo: w.repo,
      menus: changed,
      beforeDelete: async () => {
        const moved = await reassign();
        expect(moved.linked).toBeGreaterThan(600);
      },
    });
    expect(report.deleted).toEqual([oldMember]);
    const newMember = (await w.repo.applied('shop')).find((a) => a.name === 'member')!.richMenuId;
    expect(w.line.richMenus.shownTo(friends[10]!.lineUserId)).toBe(newMember);
  });
});
