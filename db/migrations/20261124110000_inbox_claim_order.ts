import { sql, type Kysely } from 'kysely';

/**
 * The inbox is claimed oldest first (by occurred_at, then arrival). An index in that order over
 * the unfinished rows lets a claim read just its batch; ordered by run_after instead, every claim
 * sorted the whole backlog, so claims slowed down exactly when a burst made the backlog long.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index line_events_claim on line_events (occurred_at, seq) where state in ('pending', 'processing')`.execute(
    db,
  );
  await sql`drop index line_events_due`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index line_events_due on line_events (run_after) where state in ('pending', 'processing')`.execute(
    db,
  );
  await sql`drop index line_events_claim`.execute(db);
}
