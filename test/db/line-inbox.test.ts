import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineInboxRepository } from '../../db/line-inbox.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
  await t.db.kysely.insertInto('bots').values({ id: 'shop', name: 'Shop' }).execute();
});
afterAll(() => t.close());

/** Both ways of appending: through the query builder, and as a named prepared statement. */
function repositories() {
  const out: Array<[string, LineInboxRepository]> = [
    ['query builder', new LineInboxRepository(t.db.kysely)],
  ];
  if (t.db.driver.kind === 'postgres')
    out.push(['named statement', new LineInboxRepository(t.db.kysely, t.db.driver.pool)]);
  return out;
}

describe('LineInboxRepository.append', () => {
  it('stores each body byte for byte, in order, with its bot', async () => {
    for (const [way, inbox] of repositories()) {
      await t.db.kysely.deleteFrom('line_inbox').execute();
      const texts = ['{"a":1}', '', '{"text":"注文 🌸"}', 'x'.repeat(70_000)];
      const bodies = texts.map((text, i) => ({
        botId: i === 1 ? 'other' : 'shop',
        body: new TextEncoder().encode(text),
      }));
      await inbox.append(bodies);
      await inbox.append(bodies.slice(0, 1)); // the same statement again, on a warm connection
      const rows = await t.db.kysely
        .selectFrom('line_inbox')
        .select(['bot_id', 'body'])
        .orderBy('id')
        .execute();
      expect(
        rows.map((r) => [r.bot_id, new TextDecoder().decode(r.body)]),
        way,
      ).toEqual([...texts.map((text, i) => [bodies[i]!.botId, text]), ['shop', texts[0]]]);
    }
  });

  it('writes nothing for no bodies', async () => {
    await t.db.kysely.deleteFrom('line_inbox').execute();
    for (const [, inbox] of repositories()) await inbox.append([]);
    expect(await t.db.kysely.selectFrom('line_inbox').selectAll().execute()).toEqual([]);
  });
});
