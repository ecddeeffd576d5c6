import { sql, type Kysely } from 'kysely';

/**
 * Foreign keys check every inserted row: a lookup of the parent and a share lock on it, which
 * writes the parent's row (and the write-ahead log) in every transaction. On the two tables the
 * worker fills for nearly every event, those checks were a fifth of the intake statement's time
 * (1.1 of 5.1 ms for 180 events, measured with EXPLAIN ANALYZE on a benchmark's database) and the
 * one bots row was locked by every batch.
 *
 * - line_events → bots goes. Intake already stores only events of a bot that exists (it checks in
 *   the same statement), and the webhook inbox before it has no key either. Deleting a bot still
 *   deletes its events: a statement-level trigger does what the key's cascade did, once per
 *   delete instead of a check per insert.
 * - postbacks → bots goes: a postback belongs to its friend (postbacks → friends stays, and
 *   cascades), whose bot is checked and cascades to it, as messages_bot_id_fkey went before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table line_events drop constraint line_events_bot_id_fkey`.execute(db);
  await sql`alter table postbacks drop constraint postbacks_bot_id_fkey`.execute(db);
  await sql`
    create function bots_delete_line_events() returns trigger language plpgsql as $$
    begin
      delete from line_events where bot_id in (select id from gone);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger bots_delete_line_events after delete on bots
    referencing old table as gone
    for each statement execute function bots_delete_line_events()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger bots_delete_line_events on bots`.execute(db);
  await sql`drop function bots_delete_line_events()`.execute(db);
  await sql`alter table postbacks add constraint postbacks_bot_id_fkey
    foreign key (bot_id) references bots (id) on delete cascade`.execute(db);
  await sql`alter table line_events add constraint line_events_bot_id_fkey
    foreign key (bot_id) references bots (id) on delete cascade`.execute(db);
}
