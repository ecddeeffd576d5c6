import { sql, type Kysely } from 'kysely';
import type { LinePort } from '../bot/line-port.ts';
import { RichMenuRepository } from '../db/rich-menus.ts';
import type { Database } from '../db/schema.ts';
import { orRefused, RichMenuError } from './errors.ts';
import type { FriendSelector } from './select.ts';

/** LINE's bulk link and unlink take at most 500 user ids per call. */
export const BULK_LIMIT = 500;

export interface ReassignOptions {
  db: Kysely<Database>;
  line: Pick<LinePort, 'bulkLinkRichMenu' | 'bulkUnlinkRichMenus'>;
  botId: string;
  select: FriendSelector;
  /**
   * Only these friends (after their tags, links or purchases changed), re-evaluated even if their
   * menu was switched directly. Absent: all of the bot's, except those switched directly.
   */
  friendIds?: readonly string[];
}

export interface ReassignReport {
  linked: number;
  unlinked: number;
  unchanged: number;
  /** Bulk link and unlink calls made. */
  calls: number;
  /** Rules naming a menu that has not been applied to LINE: skipped. */
  skippedRules: string[];
}

/**
 * Gives each friend the menu of the first rule that selects them, or the default (F7.2): only
 * friends whose menu differs from the one Kizuna last linked are sent to LINE, grouped by menu
 * in bulk calls of up to 500. Each batch is recorded as soon as LINE accepts it, so a pass that
 * stops half-way (LINE down, a crash) is finished by the next one without re-linking anyone.
 */
export async function reassignRichMenus(o: ReassignOptions): Promise<ReassignReport> {
  const { db, botId } = o;
  const repo = new RichMenuRepository(db);
  const [rules, applied] = await Promise.all([repo.rules(botId), repo.applied(botId)]);
  const menuId = new Map(applied.map((a) => [a.name, a.richMenuId]));
  const live = new Set(menuId.values());
  const report: ReassignReport = {
    linked: 0,
    unlinked: 0,
    unchanged: 0,
    calls: 0,
    skippedRules: [],
  };

  const wanted = new Map<string, string>();
  for (const rule of rules) {
    const id = menuId.get(rule.menu);
    if (!id) {
      report.skippedRules.push(rule.id);
      continue;
    }
    for (const friendId of await o.select(db, botId, rule.filter, o.friendIds)) {
      if (!wanted.has(friendId)) wanted.set(friendId, id);
    }
  }

  // Blocked friends are left alone: LINE accepts links for them but shows nothing.
  let q = db
    .selectFrom('friends as f')
    .leftJoin('friend_rich_menus as m', 'm.friend_id', 'f.id')
    .select(['f.id', 'f.line_user_id', 'm.rich_menu_id', 'm.source'])
    .where('f.bot_id', '=', botId)
    .where('f.blocked_at', 'is', null);
  if (o.friendIds) q = q.where('f.id', '=', sql<string>`any(${[...o.friendIds]}::text[])`);
  const friends = await q.execute();

  // Target menu ('' = unlink, back to the default) → friends to move there.
  const moves = new Map<string, Array<{ id: string; lineUserId: string }>>();
  for (const f of friends) {
    // A message action's switch stands until the friend changes (then they are in friendIds),
    // or until its menu is replaced by an apply.
    if (!o.friendIds && f.source === 'switch' && live.has(f.rich_menu_id ?? '')) {
      report.unchanged++;
      continue;
    }
    const want = wanted.get(f.id) ?? '';
    if (want === (f.rich_menu_id ?? '')) {
      report.unchanged++;
      continue;
    }
    let group = moves.get(want);
    if (!group) moves.set(want, (group = []));
    group.push({ id: f.id, lineUserId: f.line_user_id });
  }

  for (const [richMenuId, group] of moves) {
    for (let i = 0; i < group.length; i += BULK_LIMIT) {
      const batch = group.slice(i, i + BULK_LIMIT);
      const userIds = batch.map((f) => f.lineUserId);
      if (richMenuId) {
        await orRefused(`linking ${userIds.length} friends to ${richMenuId}`, undefined, () =>
          o.line.bulkLinkRichMenu(richMenuId, userIds),
        );
        report.linked += batch.length;
      } else {
        await orRefused(`unlinking ${userIds.length} friends`, undefined, () =>
          o.line.bulkUnlinkRichMenus(userIds),
        );
        report.unlinked += batch.length;
      }
      report.calls++;
      await recordLinks(
        db,
        botId,
        batch.map((f) => f.id),
        richMenuId || null,
        'rule',
      );
    }
  }
  return report;
}

/** One friend, one menu, now (a message action's "switch rich menu", F6.6). */
export async function switchRichMenu(
  db: Kysely<Database>,
  line: Pick<LinePort, 'linkRichMenu'>,
  botId: string,
  friendId: string,
  menu: string,
): Promise<string> {
  const applied = (await new RichMenuRepository(db).applied(botId)).find((a) => a.name === menu);
  if (!applied)
    throw new RichMenuError('invalid_definition', `rich menu "${menu}" is not applied`, menu);
  const friend = await db
    .selectFrom('friends')
    .select('line_user_id')
    .where('bot_id', '=', botId)
    .where('id', '=', friendId)
    .executeTakeFirstOrThrow();
  await orRefused(`linking rich menu "${menu}"`, menu, () =>
    line.linkRichMenu(friend.line_user_id, applied.richMenuId),
  );
  await recordLinks(db, botId, [friendId], applied.richMenuId, 'switch');
  return applied.richMenuId;
}

async function recordLinks(
  db: Kysely<Database>,
  botId: string,
  friendIds: string[],
  richMenuId: string | null,
  source: 'rule' | 'switch',
): Promise<void> {
  await db
    .insertInto('friend_rich_menus')
    .values(
      friendIds.map((friend_id) => ({
        friend_id,
        bot_id: botId,
        rich_menu_id: richMenuId,
        source,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('friend_id')
        .doUpdateSet({ rich_menu_id: richMenuId, source, linked_at: sql<Date>`now()` }),
    )
    .execute();
}
