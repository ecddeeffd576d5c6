import { sql, type Kysely } from 'kysely';

/**
 * The webhook inbox: each acknowledged request's body, as LINE sent it, one row per request.
 * Acknowledging a webhook is then one narrow append per request (no JSON parsing, no per-event
 * keys, no foreign-key check in the database), and the worker takes bodies from here into
 * line_events, where each event is keyed by (bot, webhookEventId) and deduplicated.
 *
 * No foreign key to bots: a bot deleted between acknowledgement and intake has its bodies dropped
 * at intake. Bodies up to a page stay inline and uncompressed (toast_tuple_target, storage
 * external): compressing each body on the acknowledgement path would cost more than it saves for a
 * row that lives for milliseconds. Vacuum never truncates it: after a burst is drained the table
 * is empty, and truncating it takes an exclusive lock that would stall every acknowledgement
 * behind it; the free pages are reused by the next burst instead. `last_error`
 * marks a body intake could not read, set aside.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table line_inbox (
      id bigint generated always as identity primary key,
      bot_id text not null,
      body bytea not null,
      received_at timestamptz not null default now(),
      last_error text
    ) with (toast_tuple_target = 8160, vacuum_truncate = false)`.execute(db);
  await sql`alter table line_inbox alter column body set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table line_inbox`.execute(db);
}
