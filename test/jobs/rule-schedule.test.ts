import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleRepository } from '../../db/rules.ts';
import { ruleScheduleJobs } from '../../jobs/rules.ts';
import { silentLogger } from '../../server/logger.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { worldOf, writeWorld, type GenFriend } from '../helpers/segments.ts';

const w = worldOf('clock');
const friend = (birthday: string | null): GenFriend => ({
  route: null,
  firstFollowedAt: null,
  lastFollowedAt: null,
  blockedAt: null,
  source: 'import',
  birthday,
  tags: [],
  customers: [],
});

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await writeWorld(t.db, w, [friend('1990-03-10'), friend('1990-02-10'), friend(null)]);
});
afterAll(() => t.close());

const holders = async (tagId: string) =>
  (
    await t.db.kysely
      .selectFrom('friend_tags')
      .select('friend_id')
      .where('tag_id', '=', tagId)
      .orderBy('friend_id')
      .execute()
  ).map((r) => r.friend_id);

describe('rule clocks (F5.3)', () => {
  // 1 March 00:00 in Tokyo is still February in UTC: the month is the shop's.
  const now = new Date('2026-02-28T15:00:00Z');
  const [quarter, birthMonth] = ruleScheduleJobs({
    db: t0(),
    logger: silentLogger,
    timeZone: 'Asia/Tokyo',
    now: () => now,
  });

  it('run schedule rules every quarter hour and birth-month rules on the 1st at 00:00', () => {
    expect(quarter!.schedule).toEqual({
      cron: '0,15,30,45 * * * *',
      payload: { trigger: 'schedule' },
    });
    expect(birthMonth!.schedule).toEqual({
      cron: '0 0 1 * *',
      payload: { trigger: 'birth_month' },
    });
  });

  it('each tick runs only its own rules, for every bot that has some', async () => {
    const rules = new RuleRepository(t.db.kysely);
    const [following, , , birthday] = w.tagIds;
    const everyone = { kind: 'and' as const, filters: [] };
    await rules.create(w.botId, {
      name: 'f',
      trigger: 'schedule',
      filter: { kind: 'follow', statuses: ['following'] },
      action: 'add',
      tagId: following!,
      enabled: true,
    });
    await rules.create(w.botId, {
      name: 'b',
      trigger: 'birth_month',
      filter: everyone,
      action: 'add',
      tagId: birthday!,
      enabled: true,
    });
    const ctx = { jobId: 'j', signal: new AbortController().signal };
    await quarter!.handle({ trigger: 'schedule' }, ctx);
    expect(await holders(following!)).toHaveLength(3);
    expect(await holders(birthday!)).toEqual([]);
    await birthMonth!.handle({ trigger: 'birth_month' }, ctx);
    expect(await holders(birthday!)).toEqual(['clock-f0']);
  });
});

/** The job deps read `t` lazily: the database opens in beforeAll. */
function t0(): TestDb['db'] {
  return new Proxy({} as TestDb['db'], { get: (_, key) => t.db[key as keyof TestDb['db']] });
}
