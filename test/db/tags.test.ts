import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TagRepository } from '../../db/tags.ts';
import { insertBot, insertFriend } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let tags: TagRepository;
beforeAll(async () => {
  t = await openTestDb();
  tags = new TagRepository(t.db.kysely);
  await insertBot(t.db, 'shop');
  await insertBot(t.db, 'other');
});
afterAll(async () => {
  await t.close();
});

const events = (friendId: string) =>
  t.db.kysely
    .selectFrom('tag_events')
    .select(['tag_id', 'source', 'readded'])
    .where('friend_id', '=', friendId)
    .orderBy('id')
    .execute();

describe('TagRepository', () => {
  it('creates a bot’s tags once by name', async () => {
    const first = await tags.ensure('shop', ['VIP', '購入者', 'VIP']);
    const again = await tags.ensure('shop', ['購入者', 'VIP']);
    expect(new Set(again.map((x) => x.id))).toEqual(new Set(first.map((x) => x.id)));
    expect(first).toHaveLength(2);
    const other = await tags.ensure('other', ['VIP']);
    expect(first.map((x) => x.id)).not.toContain(other[0]!.id);
  });

  it('logs an addition only when it happens, and a re-add only when asked (form re-submits)', async () => {
    const friend = await insertFriend(t.db, 'shop');
    const [vip] = await tags.ensure('shop', ['VIP']);
    expect(await tags.add('shop', friend, [vip!], { source: 'staff' })).toEqual([
      { tagId: vip!.id, name: 'VIP', readded: false },
    ]);
    expect(await tags.add('shop', friend, [vip!], { source: 'rule' })).toEqual([]);
    await tags.add('shop', friend, [vip!], {
      source: 'form',
      sourceRef: 'form:identity',
      readd: true,
    });
    expect(await events(friend)).toEqual([
      { tag_id: vip!.id, source: 'staff', readded: false },
      { tag_id: vip!.id, source: 'form', readded: true },
    ]);
    expect(await tags.namesOf(friend)).toEqual(['VIP']);
  });

  it('never adds another bot’s tag', async () => {
    const friend = await insertFriend(t.db, 'shop');
    const [foreign] = await tags.ensure('other', ['よそのタグ']);
    expect(await tags.add('shop', friend, [foreign!], { source: 'staff', readd: true })).toEqual(
      [],
    );
    expect(await tags.namesOf(friend)).toEqual([]);
  });
});
