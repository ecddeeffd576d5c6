import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { RichMenuError } from './errors.ts';

/**
 * Ids of the bot's friends a segment filter (F5.2) selects, among `within` when given. The
 * per-friend rules use whatever selector they are given; the filter engine's compiled query is
 * the real one.
 */
export type FriendSelector = (
  db: Kysely<Database>,
  botId: string,
  filter: Record<string, unknown>,
  within?: readonly string[],
) => Promise<string[]>;

/**
 * Until the filter compiler (db/filter-sql.ts) is wired in: the conditions rules need most —
 * everyone (an empty `and`), tags (all/any/none) and linked — in the filter language's own
 * shape, so rules written today keep their meaning.
 */
export const basicFriendSelector: FriendSelector = async (db, botId, filter, within) => {
  let q = db.selectFrom('friends as f').select('f.id').where('f.bot_id', '=', botId);
  if (within) q = q.where('f.id', '=', sql<string>`any(${[...within]}::text[])`);
  const kind = filter.kind;
  if (kind === 'and' && Array.isArray(filter.filters) && filter.filters.length === 0) {
    // everyone
  } else if (kind === 'tags' && isStrings(filter.tagIds)) {
    const ids = sql`any(${filter.tagIds}::text[])`;
    const count = sql<number>`(select count(*)::int from friend_tags ft where ft.friend_id = f.id and ft.tag_id = ${ids})`;
    if (filter.match === 'all') q = q.where(sql<boolean>`${count} = ${filter.tagIds.length}`);
    else if (filter.match === 'any') q = q.where(sql<boolean>`${count} > 0`);
    else if (filter.match === 'none') q = q.where(sql<boolean>`${count} = 0`);
    else throw unsupported(filter);
  } else if (kind === 'linked' && typeof filter.linked === 'boolean') {
    const linked = filter.linked;
    q = q.where((eb) => {
      const exists = eb.exists(
        eb.selectFrom('links as l').select('l.friend_id').whereRef('l.friend_id', '=', 'f.id'),
      );
      return linked ? exists : eb.not(exists);
    });
  } else {
    throw unsupported(filter);
  }
  return (await q.execute()).map((r) => r.id);
};

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

const unsupported = (filter: unknown) =>
  new RichMenuError('unsupported_filter', `cannot select friends by ${JSON.stringify(filter)}`);
