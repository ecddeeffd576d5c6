import { sql, type Kysely } from 'kysely';

/**
 * Failed events (a poison event after its last attempt) are few among millions of done ones; this
 * partial index lets the metrics count them per bot, and an operator find them, without reading
 * the whole event log. Pending and processing events already have theirs (line_events_claim).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index line_events_failed on line_events (bot_id, occurred_at) where state = 'failed'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index line_events_failed`.execute(db);
}
