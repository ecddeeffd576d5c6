import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshProfileJob, type LineJobDeps } from '../../jobs/line.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const count = async (world: LineWorld, query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(world.testDb.db.kysely)).rows[0]!.n);

describe('importing the friends a bot already had', () => {
  it('pages through follower ids, retries a failed page, and fetches every profile', async () => {
    w = await openLineWorld();
    for (let i = 0; i < 1200; i++) w.line.addUser({ displayName: `既存の友だち ${i}` });
    w.line.inject({ path: '/v2/bot/followers/ids', status: 500 });
    await w.settle();
    await w.retryJobsNow();
    await w.settle();
    expect(await count(w, sql`select count(*) as n from friends where source = 'import'`)).toBe(
      1200,
    );
    expect(
      await count(
        w,
        sql`select count(*) as n from friends where display_name like '既存の友だち %'`,
      ),
    ).toBe(1200);
    const state = await w.testDb.db.kysely
      .selectFrom('follower_imports')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(state).toMatchObject({ state: 'done', imported: 1200, next_cursor: null });
    const pages = w.line.accepted.filter((r) => r.path === '/v2/bot/followers/ids');
    expect(pages).toHaveLength(2); // 1,000 + 200
  });

  it('resumes from the stored cursor after an interrupted run, without duplicates', async () => {
    w = await openLineWorld();
    for (let i = 0; i < 1100; i++) w.line.addUser();
    // An earlier run stored page one and its cursor, then died.
    const first = (await (
      await fetch(`${w.lineUrl}/v2/bot/followers/ids?limit=1000`, {
        headers: { authorization: `Bearer ${w.channel.accessToken}` },
      })
    ).json()) as { userIds: string[]; next: string };
    await sql`insert into friends (id, bot_id, line_user_id, source)
      select gen_random_uuid()::text, ${w.botId}, u, 'import' from unnest(${first.userIds}::text[]) as u`.execute(
      w.testDb.db.kysely,
    );
    await sql`update follower_imports set state = 'running', next_cursor = ${first.next}, imported = 1000`.execute(
      w.testDb.db.kysely,
    );
    await w.settle();
    expect(await count(w, sql`select count(*) as n from friends`)).toBe(1100);
    const state = await w.testDb.db.kysely
      .selectFrom('follower_imports')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(state).toMatchObject({ state: 'done', imported: 1100 });
    const calls = w.line.accepted.filter((r) => r.path === '/v2/bot/followers/ids');
    expect(calls).toHaveLength(2); // the test's own page one, then only the rest
  });

  it('marks the import unavailable when the account may not list followers', async () => {
    w = await openLineWorld();
    w.line.addUser();
    w.line.inject({ path: '/v2/bot/followers/ids', status: 403 });
    await w.settle();
    const state = await w.testDb.db.kysely
      .selectFrom('follower_imports')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(state.state).toBe('unavailable');
    expect(state.error).toMatch(/may not list its friends/);
    expect(await count(w, sql`select count(*) as n from friends`)).toBe(0);
  });
});

describe('profiles', () => {
  it('stores a new friend at once when Get Profile fails, and fills the profile on retry', async () => {
    w = await openLineWorld();
    await w.settle();
    const user = w.line.addUser({ displayName: '後で分かる名前' }, { friendOf: [] });
    w.line.inject({ path: `/v2/bot/profile/${user.userId}`, status: 500, times: 2 });
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
      w.line.events.follow(user.userId),
    ]);
    await w.settle();
    const friend = () =>
      w!.testDb.db.kysely
        .selectFrom('friends')
        .select(['display_name', 'blocked_at'])
        .where('line_user_id', '=', user.userId)
        .executeTakeFirstOrThrow();
    expect(await friend()).toEqual({ display_name: null, blocked_at: null });
    for (let i = 0; i < 2; i++) {
      await w.retryJobsNow();
      await w.settle();
    }
    expect((await friend()).display_name).toBe('後で分かる名前');
  });

  it('fetches a wave of follows in one job, and on retry asks LINE only for the profiles it lacks', async () => {
    w = await openLineWorld();
    await w.settle();
    const users = ['一', '二', '三'].map((n) =>
      w!.line.addUser({ displayName: `友だち${n}` }, { friendOf: [] }),
    );
    const [, failing] = users;
    w.line.inject({ path: `/v2/bot/profile/${failing!.userId}`, status: 500 });
    await w.line.sendWebhook(
      w.webhookUrl,
      w.channel.channelId,
      users.map((u) => w!.line.events.follow(u.userId)),
    );
    await w.settle();
    const jobs = await count(
      w,
      sql`select count(*) as n from pgboss.job where name = 'line.refresh-profile'`,
    );
    expect(jobs).toBe(1);
    const names = async () =>
      (
        await w!.testDb.db.kysely
          .selectFrom('friends')
          .select('display_name')
          .orderBy('display_name')
          .execute()
      ).map((f) => f.display_name);
    expect(await names()).toEqual(['友だち一', '友だち三', null]);
    await w.retryJobsNow();
    await w.settle();
    expect(await names()).toEqual(['友だち一', '友だち三', '友だち二']);
    const fetched = (userId: string) =>
      w!.line.accepted.filter((r) => r.path === `/v2/bot/profile/${userId}`).length;
    expect(users.map((u) => fetched(u.userId))).toEqual([1, 1, 1]);
  });

  it('still runs a profile job queued in the one-user form', () => {
    const job = refreshProfileJob({} as LineJobDeps);
    expect(job.payload.parse({ botId: 'b', lineUserId: 'U1' })).toEqual({
      botId: 'b',
      lineUserIds: ['U1'],
    });
    expect(() => job.payload.parse({ botId: 'b', lineUserIds: [] })).toThrow();
  });
});
