import { sql } from 'kysely';

// Keyset paging shared by the read-side queries: a page is fetched as limit + 1 rows, and the
// sort key of its last row is the next page's cursor.

/** A timestamp as a sort key: UTC, microseconds, so it round-trips exactly (JS Dates stop at ms). */
export type SortTime = string;

export interface Page<T, K> {
  items: T[];
  /** The sort key of the last item when more rows follow, else null. */
  next: K | null;
}

/** Formats a timestamptz column as a SortTime, independent of the session's time zone and DateStyle. */
export const sortTime = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Splits a limit+1 fetch into the page and the key of its last row (when a next page exists). */
export function page<R, T, K>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  key: (r: R) => K,
): Page<T, K> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), next: rows.length > limit && last ? key(last) : null };
}
