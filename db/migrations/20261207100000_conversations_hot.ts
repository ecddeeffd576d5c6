import { sql, type Kysely } from 'kysely';

/**
 * Every incoming message updates its conversation (unread count, last message time). With
 * `last_message_at` in an index, each of those updates wrote a new version of the row into every
 * index of the table, and the dead versions piled up until a vacuum (5,000 conversations carried
 * 134,000 dead versions after one benchmark run). Without it, and with room left on each page, the
 * update is a heap-only one that the page prunes by itself. The index served no query: the
 * console lists unread conversations first, an order it cannot give; the bot's conversations are
 * found by `bot_id` alone.
 *
 * messages_bot_id_fkey goes too: a message belongs to its conversation, whose bot is already
 * checked and cascades to it, and the check cost a lookup and a row lock on the bot per message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index conversations_bot_recent`.execute(db);
  await sql`create index conversations_bot on conversations (bot_id)`.execute(db);
  await sql`alter table conversations set (fillfactor = 70)`.execute(db);
  await sql`alter table messages drop constraint messages_bot_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table messages add constraint messages_bot_id_fkey
    foreign key (bot_id) references bots (id) on delete cascade`.execute(db);
  await sql`alter table conversations reset (fillfactor)`.execute(db);
  await sql`drop index conversations_bot`.execute(db);
  await sql`create index conversations_bot_recent on conversations (bot_id, last_message_at)`.execute(
    db,
  );
}
