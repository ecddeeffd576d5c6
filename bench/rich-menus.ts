import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createLineClient } from '../bot/line-client.ts';
import { createDb } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { RichMenuRepository } from '../db/rich-menus.ts';
import { reassignRichMenus } from '../rich-menus/assign.ts';
import { loadRichMenus } from '../rich-menus/load.ts';
import { filterFriendSelector } from '../rich-menus/select.ts';
import { applyRichMenus } from '../rich-menus/sync.ts';
import { createFakeLine } from '../test/fakes/line.ts';
import { report, scale } from './lib/load.ts';
import { admin } from './lib/pg.ts';

/**
 * bench/rich-menus: reassigning the menus of N friends (N = 100,000 at full scale) on
 * PostgreSQL against the fake LINE over HTTP. Every friend was on an old menu; rule 1 gives the
 * 30% tagged VIP the member menu, rule 2 everyone else tab-member, so all N move: the bulk link
 * API must carry them in ≤ N/500 calls. Then a pass with nothing changed must make none.
 */
const NAME = 'rich-menus';

export async function benchRichMenus(): Promise<boolean> {
  // Multiples of 5,000 keep both groups whole multiples of 500 (30% and 70%).
  const n = Math.max(5_000, Math.round((100_000 * scale()) / 5_000) * 5_000);
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `kizuna_bench_menus_${Date.now().toString(36)}`;
  const channel = {
    channelId: '2000000001',
    channelSecret: randomBytes(16).toString('hex'),
    accessToken: `token-${randomBytes(16).toString('hex')}`,
    botUserId: `U${randomBytes(16).toString('hex')}`,
  };
  const line = createFakeLine({ channels: [channel] });
  const server = await line.listen(0);
  await admin(base, `create database ${dbName}`);
  const db = await createDb({
    kind: 'postgres',
    url: Object.assign(new URL(base), { pathname: `/${dbName}` }).toString(),
  });
  try {
    await migrateToLatest(db.kysely);
    const k = db.kysely;
    const client = createLineClient({
      channelAccessToken: channel.accessToken,
      baseURL: server.url,
      dataBaseURL: server.url,
    });
    const repo = new RichMenuRepository(k);
    await sql`insert into bots (id, name) values ('shop', 'Shop')`.execute(k);
    await applyRichMenus({ botId: 'shop', line: client, repo, menus: await loadRichMenus() });
    const vip = 'tag-vip';
    await sql`insert into tags (id, bot_id, name) values (${vip}, 'shop', 'VIP')`.execute(k);
    await sql`insert into friends (id, bot_id, line_user_id, source)
      select 'f' || i, 'shop', 'U' || md5(i::text), 'follow' from generate_series(1, ${n}) as i`.execute(
      k,
    );
    await sql`insert into friend_tags (friend_id, tag_id, bot_id, source)
      select 'f' || i, ${vip}, 'shop', 'staff' from generate_series(1, ${n}) as i
      where i % 10 < 3`.execute(k);
    // Where the friends were before: all on a menu that no rule gives any more.
    await sql`insert into friend_rich_menus (friend_id, bot_id, rich_menu_id)
      select 'f' || i, 'shop', 'richmenu-old' from generate_series(1, ${n}) as i`.execute(k);
    await sql`analyze`.execute(k);
    for (let i = 1; i <= n; i++)
      line.addUser({ userId: `U${createHash('md5').update(String(i)).digest('hex')}` });
    await repo.createRule('shop', {
      menu: 'member',
      filter: { kind: 'tags', match: 'any', tagIds: [vip] },
    });
    await repo.createRule('shop', { menu: 'tab-member', filter: { kind: 'and', filters: [] } });

    const select = filterFriendSelector();
    const before = line.accepted.length;
    const t0 = performance.now();
    const full = await reassignRichMenus({ db: k, line: client, botId: 'shop', select });
    const seconds = (performance.now() - t0) / 1000;
    const bulk = line.accepted
      .slice(before)
      .filter((r) => r.operationId === 'linkRichMenuIdToUsers');
    const largest = Math.max(...bulk.map((r) => (r.body as { userIds: string[] }).userIds.length));
    const ids = Object.fromEntries((await repo.applied('shop')).map((a) => [a.name, a.richMenuId]));
    const user = (i: number) => `U${createHash('md5').update(String(i)).digest('hex')}`;
    // Friend 1 is VIP (1 % 10 < 3), friend 5 is not.
    const correct =
      full.linked === n &&
      line.richMenus.linkedTo(user(1)) === ids.member &&
      line.richMenus.linkedTo(user(5)) === ids['tab-member'];
    console.log(
      `${NAME}: ${n} friends moved in ${bulk.length} bulk calls (largest ${largest} users), ${seconds.toFixed(1)} s${correct ? '' : ' — WRONG RESULT'}`,
    );

    const again0 = performance.now();
    const again = await reassignRichMenus({ db: k, line: client, botId: 'shop', select });
    const againSeconds = (performance.now() - again0) / 1000;
    const maxCalls = Math.ceil(n / 500);
    const ok = [
      report(
        NAME,
        'bulk-calls',
        bulk.length,
        '',
        `≤${maxCalls}`,
        correct && bulk.length <= maxCalls,
      ),
      report(NAME, 'batch-size', largest, '', '≤500', largest <= 500),
      report(NAME, 'reassign', seconds, 's', '≤60s', seconds <= 60),
      report(NAME, 'unchanged-calls', again.calls, '', '0', again.calls === 0),
      report(NAME, 'unchanged-pass', againSeconds, 's', '≤10s', againSeconds <= 10),
    ];
    return ok.every(Boolean);
  } finally {
    await db.close();
    await server.close();
    await admin(base, `drop database if exists ${dbName} with (force)`);
  }
}
