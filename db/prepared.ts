import type { Kysely, QueryResult, RawBuilder } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Statements run as named prepared statements on PostgreSQL: parsed and planned once per
 * connection instead of on every run. Only the worker's statements that run for every batch are
 * marked (a handful of texts, so the set stays small); planning the inbox intake alone took 0.7 ms
 * per batch, a sixth of its execution. A marked statement must name the columns it returns (no
 * `*`): a column added by a later migration would otherwise change the result of a statement
 * prepared before it, which PostgreSQL refuses ("cached plan must not change result type").
 */
const names = new Map<string, string>();

/** The prepared statement's name for this text, if it is marked. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}

/** Runs `query` on `db`; on PostgreSQL as a prepared statement (see above). */
export function executePrepared<R>(
  db: Kysely<Database>,
  query: RawBuilder<R>,
): Promise<QueryResult<R>> {
  const compiled = query.compile(db);
  if (!names.has(compiled.sql)) names.set(compiled.sql, `kizuna_${names.size + 1}`);
  return db.executeQuery(compiled);
}
