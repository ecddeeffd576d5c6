import { sql, type Kysely } from 'kysely';
import { filterSchema, type Filter } from '../crm/filter.ts';
import { filterWhere } from '../db/filter-sql.ts';
import type { Database } from '../db/schema.ts';
import { RichMenuError } from './errors.ts';

/** Ids of the bot's friends a segment filter (F5.2) selects, among `within` when given. */
export type FriendSelector = (
  db: Kysely<Database>,
  botId: string,
  filter: Filter,
  within?: readonly string[],
) => Promise<string[]>;

/**
 * The per-friend rules' selector: the filter compiled to one query (db/filter-sql.ts), in the
 * shop's time zone. A rule's filter is parsed again here because rows outlive schema changes: a
 * stored filter that no longer parses stops the pass with its path rather than selecting nobody.
 */
export function filterFriendSelector(timeZone?: string): FriendSelector {
  return async (db, botId, filter, within) => {
    const parsed = filterSchema.safeParse(filter);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RichMenuError(
        'unsupported_filter',
        `filter ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
    }
    let q = db
      .selectFrom('friends as f')
      .select('f.id')
      .where(filterWhere(botId, parsed.data, timeZone ? { timeZone } : {}));
    if (within) q = q.where('f.id', '=', sql<string>`any(${[...within]}::text[])`);
    return (await q.execute()).map((r) => r.id);
  };
}
