import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches, type FriendSnapshot } from '../../crm/filter-eval.ts';
import { filterSchema, type Filter } from '../../crm/filter.ts';
import { filterWhere } from '../../db/filter-sql.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { filterArb, friendsArb, worldOf, writeWorld } from '../helpers/segments.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t.close());

const timeZone = 'Asia/Tokyo';
const world = worldOf('props');

/** Which friends each filter selects, many filters per query (one boolean column each). */
async function selectedBySql(filters: Filter[]): Promise<Set<string>[]> {
  const rows = await t.db.kysely
    .selectFrom('friends as f')
    .select('f.id')
    .select(filters.map((f, i) => filterWhere(world.botId, f, { timeZone }).as(`m${i}`)))
    .where('f.bot_id', '=', world.botId)
    .execute();
  return filters.map(
    (_, i) =>
      new Set(
        rows.filter((r) => (r as Record<string, unknown>)[`m${i}`] === true).map((r) => r.id),
      ),
  );
}

const selectedInMemory = (friends: FriendSnapshot[], filter: Filter) =>
  new Set(friends.filter((f) => matches(f, filter, { timeZone })).map((f) => f.id));

describe('filter SQL and the in-memory evaluator', () => {
  it('agree on thousands of random friends × filters', { timeout: 240_000 }, async () => {
    let cases = 0;
    // Cases that split the friends (some in, some out): the ones that can catch a difference.
    let splitting = 0;
    await fc.assert(
      fc.asyncProperty(
        friendsArb,
        fc.array(filterArb(world), { minLength: 150, maxLength: 150 }),
        async (friends, filters) => {
          const snapshots = await writeWorld(t.db, world, friends);
          for (let i = 0; i < filters.length; i += 50) {
            const batch = filters.slice(i, i + 50);
            for (const f of batch) filterSchema.parse(f);
            const bySql = await selectedBySql(batch);
            batch.forEach((f, j) => {
              const expected = selectedInMemory(snapshots, f);
              expect([...bySql[j]!].sort(), JSON.stringify(f)).toEqual([...expected].sort());
              if (expected.size > 0 && expected.size < snapshots.length) splitting += 1;
            });
            cases += batch.length;
          }
        },
      ),
      { numRuns: 20 },
    );
    expect(cases).toBeGreaterThanOrEqual(3000);
    // A check on the generator, not on the filters: random runs land between 0.29 and 0.4, so the
    // bar sits below the observed low (0.3 once failed at 0.29).
    expect(splitting / cases).toBeGreaterThan(0.2);
    // The hostile names were data, never SQL.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from friends`.execute(
      t.db.kysely,
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
