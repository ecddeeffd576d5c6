import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_FORM } from '../../crm/form.ts';
import type { RuleInput } from '../../crm/rule.ts';
import { FormSubmissions } from '../../db/form-submissions.ts';
import { rulesOnLink, runRules } from '../../db/rule-runner.ts';
import { RuleRepository } from '../../db/rules.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { worldOf, writeWorld, type GenFriend } from '../helpers/segments.ts';

const w = worldOf('rules');
const [VIP, BUYER, , BIRTHDAY] = w.tagIds;
const base: GenFriend = {
  route: null,
  firstFollowedAt: null,
  lastFollowedAt: null,
  blockedAt: null,
  source: 'follow',
  birthday: null,
  tags: [],
  customers: [],
};
const buyer = (total: number): GenFriend['customers'] => [
  {
    conn: 0,
    suppressed: false,
    customData: null,
    orders: [
      {
        orderedAt: new Date('2026-01-05T00:00:00Z'),
        totalAmount: total,
        cancelled: false,
        items: [{ productCode: 'P1', courseCode: null }],
        subscriptionSequence: null,
      },
    ],
    subscriptions: [],
  },
];
// f0, f1: big buyers; f2: small buyer; f3: born in January; f4: born in December, still tagged.
const friends: GenFriend[] = [
  { ...base, customers: buyer(20_000) },
  { ...base, customers: buyer(15_000) },
  { ...base, customers: buyer(100), tags: [0] },
  { ...base, birthday: '1990-01-20' },
  { ...base, birthday: '1990-12-03', tags: [3] },
];
const id = (i: number) => `rules-f${i}`;

let t: TestDb;
let rules: RuleRepository;
beforeAll(async () => {
  t = await openTestDb();
  rules = new RuleRepository(t.db.kysely);
});
beforeEach(async () => {
  await writeWorld(t.db, w, friends);
});
afterAll(() => t.close());

const rule = (input: Partial<RuleInput> & Pick<RuleInput, 'filter' | 'tagId'>) =>
  rules.create(w.botId, { name: 'r', trigger: 'schedule', action: 'add', enabled: true, ...input });
const holders = async (tagId: string) =>
  (
    await t.db.kysely
      .selectFrom('friend_tags')
      .select('friend_id')
      .where('tag_id', '=', tagId)
      .orderBy('friend_id')
      .execute()
  ).map((r) => r.friend_id);
const events = (tagId: string) =>
  t.db.kysely
    .selectFrom('tag_events')
    .select(['friend_id', 'action', 'source'])
    .where('tag_id', '=', tagId)
    .orderBy('id')
    .orderBy('friend_id')
    .execute();
const now = new Date('2026-01-01T00:00:00+09:00');
const pass = (friendIds?: string[]) =>
  runRules(t.db.kysely, w.botId, { cause: 'schedule', now, friendIds });

describe('auto-tag rules (F5.3)', () => {
  it('add: one pass tags every match, the next changes nothing; each pass is recorded', async () => {
    const vip = await rule({
      tagId: VIP!,
      filter: { kind: 'purchaseStat', stat: 'totalAmount', op: 'gte', value: 10_000 },
    });
    expect((await pass())[0]).toMatchObject({ added: 2, removed: 0 });
    expect(await holders(VIP!)).toEqual([id(0), id(1), id(2)]);
    expect((await pass())[0]).toMatchObject({ added: 0, removed: 0 });
    // One event per real addition; f2 had the tag before and is not re-logged.
    const logged = await events(VIP!);
    expect(logged.sort((a, b) => a.friend_id.localeCompare(b.friend_id))).toEqual([
      { friend_id: id(0), action: 'added', source: 'rule' },
      { friend_id: id(1), action: 'added', source: 'rule' },
    ]);
    const runs = await rules.runs(vip.id, { limit: 10 });
    expect(runs.map((r) => [r.cause, r.added, r.removed])).toEqual([
      ['schedule', 0, 0],
      ['schedule', 2, 0],
    ]);
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('remove: takes the tag from matches, logging each removal', async () => {
    await rule({
      tagId: VIP!,
      action: 'remove',
      filter: { kind: 'purchaseStat', stat: 'totalAmount', op: 'lt', value: 1000 },
    });
    expect((await pass())[0]).toMatchObject({ added: 0, removed: 1 });
    expect(await holders(VIP!)).toEqual([]);
    expect(await events(VIP!)).toEqual([{ friend_id: id(2), action: 'removed', source: 'rule' }]);
  });

  it('birth month: on the 1st, this month’s friends get the tag and everyone else loses it', async () => {
    await rule({ tagId: BIRTHDAY!, trigger: 'birth_month', filter: { kind: 'and', filters: [] } });
    const [run] = await runRules(t.db.kysely, w.botId, {
      cause: 'birth_month',
      now, // 00:00 on 1 January in Tokyo (still 31 December in UTC)
      triggers: ['birth_month'],
    });
    expect(run).toMatchObject({ added: 1, removed: 1 });
    expect(await holders(BIRTHDAY!)).toEqual([id(3)]);
  });

  it('a pass interrupted half-way converges on the next', async () => {
    await rule({
      tagId: BUYER!,
      filter: { kind: 'purchaseStat', stat: 'orderCount', op: 'gte', value: 1 },
    });
    // As if a pass died after tagging one friend: the rest follow next time, none twice.
    await t.db.kysely
      .insertInto('friend_tags')
      .values({ friend_id: id(0), tag_id: BUYER!, bot_id: w.botId, source: 'rule' })
      .execute();
    // And a pass that died before committing left nothing.
    await t.db.kysely
      .transaction()
      .execute(async (trx) => {
        await runRules(trx, w.botId, { cause: 'schedule', now });
        throw new Error('killed');
      })
      .catch(() => undefined);
    expect(await holders(BUYER!)).toEqual([id(0)]);
    expect((await pass())[0]).toMatchObject({ added: 2 });
    expect(await holders(BUYER!)).toEqual([id(0), id(1), id(2)]);
  });

  it('a whole-bot pass plans with hash joins in its own transactions only', async () => {
    await rule({ tagId: VIP!, filter: { kind: 'customData', key: 'rank', op: 'exists' } });
    const nestLoop = async (db = t.db.kysely) =>
      (await sql<{ enable_nestloop: string }>`show enable_nestloop`.execute(db)).rows[0]!
        .enable_nestloop;
    await pass();
    // `set local` ended with each rule's transaction: the connection plans as before.
    expect(await nestLoop()).toBe('on');
    // Inside a caller's transaction (an import page) the pass leaves the caller's settings be.
    await t.db.kysely.transaction().execute(async (trx) => {
      await runRules(trx, w.botId, { cause: 'schedule', now });
      expect(await nestLoop(trx)).toBe('on');
    });
  });

  it('a scoped pass (immediate triggers) changes only the friends given', async () => {
    await rule({ tagId: VIP!, filter: { kind: 'and', filters: [] } });
    const [run] = await pass([id(3)]);
    expect(run).toMatchObject({ added: 1 });
    expect(await holders(VIP!)).toEqual([id(2), id(3)]);
    expect((await rules.runs(run!.ruleId, { limit: 1 }))[0]).toMatchObject({ scopedTo: 1 });
  });

  it('an immediate pass reads days in the shop time zone', async () => {
    // f0 ordered at 2026-01-05 00:00 UTC: the 5th in Tokyo, still the 4th in Honolulu.
    const day = { from: '2026-01-05', to: '2026-01-05' };
    await rule({ tagId: BUYER!, filter: { kind: 'purchased', productCodes: ['P1'], range: day } });
    await rulesOnLink(t.db.kysely, w.botId, [{ friendId: id(0) }], 'Pacific/Honolulu');
    expect(await holders(BUYER!)).toEqual([]);
    await rulesOnLink(t.db.kysely, w.botId, [{ friendId: id(0) }]);
    expect(await holders(BUYER!)).toEqual([id(0)]);
  });

  it('a form submit runs the rules at once for its friend', async () => {
    await rule({ tagId: VIP!, filter: { kind: 'follow', statuses: ['unknown'] } });
    await new FormSubmissions(t.db.kysely).submit({
      botId: w.botId,
      form: IDENTITY_FORM,
      lineUserId: 'U-new-shopper',
      submissionId: crypto.randomUUID(),
      values: {},
      identity: {},
    });
    const shopper = await t.db.kysely
      .selectFrom('friends')
      .select('id')
      .where('line_user_id', '=', 'U-new-shopper')
      .executeTakeFirstOrThrow();
    // Only the submitter: the other "unknown" friends wait for the clock.
    expect(await holders(VIP!)).toEqual([id(2), shopper.id].sort());
  });
});
