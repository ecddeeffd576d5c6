import { sql, type Kysely } from 'kysely';

/**
 * Staff notices (F3.5: a failed sync tells staff) and the store a connection points at (F3.3:
 * the same store on two bots is allowed but warned about), which its sealed credentials hide.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    // What went wrong (sync_failed, ...) and with what (a connection id, ...): one open notice each.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    // Who or what closed it: 'recovered' (the next run worked) or 'staff'.
    .addColumn('resolved_by', 'text')
    .execute();
  await sql`create unique index notices_open on notices (bot_id, kind, subject) where resolved_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('notices_bot_recent')
    .on('notices')
    .columns(['bot_id', 'created_at'])
    .execute();

  await db.schema.alterTable('connections').addColumn('store_key', 'text').execute();
  await sql`create index connections_store on connections (cart, store_key) where disconnected_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index connections_store`.execute(db);
  await db.schema.alterTable('connections').dropColumn('store_key').execute();
  await db.schema.dropTable('notices').execute();
}
