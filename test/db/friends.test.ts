import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FriendRepository } from '../../db/friends.ts';
import { insertBot, insertFriend } from '../helpers/carts.ts';
import { openTestDb, sequentialScansOf, type TestDb } from '../helpers/db.ts';

let t: TestDb;
const user = (i: number) => `U${String(i).padStart(32, '0')}`;
beforeAll(async () => {
  t = await openTestDb();
  await insertBot(t.db, 'shop');
  await insertBot(t.db, 'other');
  // A bot with thousands of friends, and another bot with one of the same LINE users.
  await sql`
    insert into friends (id, bot_id, line_user_id, source)
    select gen_random_uuid()::text, 'shop', 'U' || lpad(i::text, 32, '0'), 'follow'
    from generate_series(1, 5000) as i`.execute(t.db.kysely);
  await insertFriend(t.db, 'other', { lineUserId: user(2) });
  await sql`analyze friends`.execute(t.db.kysely);
});
afterAll(() => t.close());

describe('FriendRepository.saveProfiles', () => {
  it('stores the profiles of its bot’s friends by keyed probes, never reading every friend', async () => {
    const at = new Date('2026-12-06T09:00:00Z');
    const seqScans = await sequentialScansOf(t.db, 'friends', (trx) =>
      new FriendRepository(trx).saveProfiles(
        'shop',
        [
          { userId: user(2), displayName: 'Hana', pictureUrl: 'https://example.com/h.png' },
          { userId: user(2999), displayName: 'Ken', language: 'ja' },
          { userId: user(9999), displayName: 'Not a friend' },
          // A job's worth: a hundred users.
          ...Array.from({ length: 97 }, (_, i) => ({ userId: user(10_000 + i), displayName: 'x' })),
        ],
        at,
      ),
    );
    expect(seqScans).toBe(0);

    const rows = await t.db.kysely
      .selectFrom('friends')
      .select([
        'bot_id',
        'line_user_id',
        'display_name',
        'picture_url',
        'language',
        'profile_fetched_at',
      ])
      .where('display_name', 'is not', null)
      .orderBy('line_user_id')
      .execute();
    expect(rows).toEqual([
      {
        bot_id: 'shop',
        line_user_id: user(2),
        display_name: 'Hana',
        picture_url: 'https://example.com/h.png',
        language: null,
        profile_fetched_at: at,
      },
      {
        bot_id: 'shop',
        line_user_id: user(2999),
        display_name: 'Ken',
        picture_url: null,
        language: 'ja',
        profile_fetched_at: at,
      },
    ]);
    // The other bot's friend with the same LINE user, and users who are not friends, are untouched.
    expect(
      await t.db.kysely
        .selectFrom('friends')
        .select('id')
        .where('line_user_id', '=', user(9999))
        .execute(),
    ).toEqual([]);
  });
});
