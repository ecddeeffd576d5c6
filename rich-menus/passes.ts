import { sql, type Kysely } from 'kysely';
import type { LinePort } from '../bot/line-port.ts';
import type { Database } from '../db/schema.ts';
import { reassignRichMenus, type ReassignReport } from './assign.ts';
import type { FriendSelector } from './select.ts';

/** A full pass at least this often: it catches changes that leave no row behind (a tag removed). */
export const FULL_PASS_EVERY_MS = 15 * 60_000;

export interface PassOptions {
  db: Kysely<Database>;
  line: Pick<LinePort, 'bulkLinkRichMenu' | 'bulkUnlinkRichMenus'>;
  botId: string;
  select: FriendSelector;
  /** Decides whether a full pass is due (default: the database's clock). */
  now?: Date;
  /** Re-link everyone now (staff's "reassign now", or after an apply). */
  full?: boolean;
}

export interface PassResult extends ReassignReport {
  full: boolean;
  /** Friends looked at (undefined: all of them). */
  considered?: number;
}

/**
 * One reassign pass of a bot (F7.2), run every minute: only friends whose tags, links or
 * purchases changed since the last pass, or everyone when a full pass is due. The watermark
 * moves only when the pass succeeds, so a pass LINE interrupted is redone by the next one.
 */
export async function runReassignPass(o: PassOptions): Promise<PassResult | undefined> {
  const { db, botId } = o;
  // The watermark is the database's clock, the one tag_events, links and purchase stats use.
  // Read before the friends are: a change committed while the pass runs is seen again next time.
  const dbNow = (await sql<{ t: Date }>`select now() as t`.execute(db)).rows[0]!.t;
  const now = o.now ?? dbNow;
  const last = await db
    .selectFrom('rich_menu_passes')
    .selectAll()
    .where('bot_id', '=', botId)
    .executeTakeFirst();
  const full =
    o.full === true ||
    !last?.full_pass_at ||
    now.getTime() - last.full_pass_at.getTime() >= FULL_PASS_EVERY_MS;
  const started = Date.now();
  let friendIds: string[] | undefined;
  if (!full) {
    friendIds = await changedSince(db, botId, last!.watermark);
    if (friendIds.length === 0) {
      await save(db, botId, { watermark: dbNow, full_pass_at: last!.full_pass_at }, undefined, 0);
      return undefined;
    }
  }
  const report = await reassignRichMenus({
    db,
    line: o.line,
    botId,
    select: o.select,
    ...(friendIds ? { friendIds } : {}),
  });
  await save(
    db,
    botId,
    { watermark: dbNow, full_pass_at: full ? now : (last?.full_pass_at ?? null) },
    report,
    Date.now() - started,
  );
  return { ...report, full, ...(friendIds ? { considered: friendIds.length } : {}) };
}

/**
 * Friends of the bot with a tag change, a new link, or new purchase figures after `since` —
 * except those whose menu was switched directly after their latest change (the switch stands).
 */
async function changedSince(db: Kysely<Database>, botId: string, since: Date): Promise<string[]> {
  const rows = await sql<{ friend_id: string }>`
    select c.friend_id
    from (
      select friend_id, at from tag_events where bot_id = ${botId} and at > ${since}
      union all
      select friend_id, created_at from links where bot_id = ${botId} and created_at > ${since}
      union all
      select friend_id, refreshed_at from friend_purchase_stats
      where bot_id = ${botId} and refreshed_at > ${since}
    ) as c (friend_id, at)
    left join friend_rich_menus m on m.friend_id = c.friend_id and m.source = 'switch'
    group by c.friend_id, m.linked_at
    having m.linked_at is null or max(c.at) > m.linked_at`.execute(db);
  return rows.rows.map((r) => r.friend_id);
}

async function save(
  db: Kysely<Database>,
  botId: string,
  marks: { watermark: Date; full_pass_at: Date | null },
  report: ReassignReport | undefined,
  durationMs: number,
): Promise<void> {
  const values = {
    ...marks,
    ran_at: new Date(),
    linked: report?.linked ?? 0,
    unlinked: report?.unlinked ?? 0,
    calls: report?.calls ?? 0,
    duration_ms: durationMs,
    error: null,
  };
  await db
    .insertInto('rich_menu_passes')
    .values({ bot_id: botId, ...values })
    .onConflict((oc) => oc.column('bot_id').doUpdateSet(values))
    .execute();
}

/** Bots with at least one per-friend rule: the only ones a pass has anything to do for. */
export async function botsWithRules(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('rich_menu_rules').select('bot_id').distinct().execute();
  return rows.map((r) => r.bot_id);
}
