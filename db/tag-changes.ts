import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { TagSource } from '../crm/tag.ts';
import type { Database } from './schema.ts';

/**
 * Set-based tag changes (F5.1, F5.3): one statement adds (or removes) a tag for every friend of a
 * bot matching a where clause over `friends f` (a compiled filter, a list of ids, one friend).
 * Each statement also writes one tag_events row per change that really happened, so a friend who
 * already had the tag is neither touched nor logged: rules never re-add, and a bulk action run
 * twice changes nothing the second time.
 */

export interface ChangeSource {
  source: TagSource;
  /** What did it, e.g. `rule:<id>` or `staff`. */
  sourceRef?: string | null;
}

/** Friends of `botId` matching `where` get the tag; returns how many did not have it before. */
export async function addTagWhere(
  db: Kysely<Database>,
  botId: string,
  tagId: string,
  where: RawBuilder<SqlBool>,
  by: ChangeSource,
): Promise<number> {
  const result = await sql<{ n: number }>`
    with added as (
      insert into friend_tags (friend_id, tag_id, bot_id, source)
      select f.id, ${tagId}, ${botId}, ${by.source}
      from friends f
      where exists (select 1 from tags t where t.id = ${tagId} and t.bot_id = ${botId})
        and f.bot_id = ${botId} and ${where}
        -- Friends who have it already are left out here, as one anti-join: on a steady pass that
        -- is nearly everyone, and 'on conflict' alone would probe the key once per friend. The
        -- tag is a constant (not t.id) so the planner sees one key to hash or probe.
        and not exists (select 1 from friend_tags h where h.friend_id = f.id and h.tag_id = ${tagId})
      on conflict do nothing
      returning friend_id, tag_id),
    logged as (
      insert into tag_events (bot_id, friend_id, tag_id, action, source, source_ref)
      select ${botId}, friend_id, tag_id, 'added', ${by.source}, ${by.sourceRef ?? null}
      from added returning 1)
    select count(*)::int as n from logged`.execute(db);
  return result.rows[0]?.n ?? 0;
}

/** Friends of `botId` matching `where` lose the tag; returns how many had it. */
export async function removeTagWhere(
  db: Kysely<Database>,
  botId: string,
  tagId: string,
  where: RawBuilder<SqlBool>,
  by: ChangeSource,
): Promise<number> {
  const result = await sql<{ n: number }>`
    with removed as (
      delete from friend_tags ft using friends f
      where ft.friend_id = f.id and ft.tag_id = ${tagId} and ft.bot_id = ${botId}
        and f.bot_id = ${botId} and ${where}
      returning ft.friend_id, ft.tag_id),
    logged as (
      insert into tag_events (bot_id, friend_id, tag_id, action, source, source_ref)
      select ${botId}, friend_id, tag_id, 'removed', ${by.source}, ${by.sourceRef ?? null}
      from removed returning 1)
    select count(*)::int as n from logged`.execute(db);
  return result.rows[0]?.n ?? 0;
}

/** A where clause for these friends only. */
export const friendsWithIds = (ids: readonly string[]): RawBuilder<SqlBool> =>
  sql<SqlBool>`f.id = any(${[...ids]}::text[])`;
