import { sql, type Kysely } from 'kysely';

/**
 * Segments (F5): auto-tag rules and the record of their passes, and the indexes filters and
 * friend lists lean on. Filter conditions reach other tables through keys already indexed
 * (friend_tags and links by friend, orders and subscriptions by customer, stats by friend).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  // The friend list pages newest first per bot (keyset on created_at, id); without this a
  // filtered page sorts every friend of the bot.
  await sql`create index friends_bot_recent on friends (bot_id, created_at desc, id desc)`.execute(
    db,
  );

  await db.schema
    .createTable('rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // schedule (every 15 minutes) | birth_month (the 1st of each month)
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('filter', 'jsonb', (c) => c.notNull())
    // add | remove
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('rules_bot').on('rules').columns(['bot_id', 'created_at']).execute();

  await db.schema
    .createTable('rule_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull().references('rules.id').onDelete('cascade'))
    .addColumn('bot_id', 'text', (c) => c.notNull())
    // schedule | birth_month | link | form | manual
    .addColumn('cause', 'text', (c) => c.notNull())
    // How many friends the pass looked at when scoped (link, form), null for everyone.
    .addColumn('scoped_to', 'integer')
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rule_runs_rule')
    .on('rule_runs')
    .columns(['rule_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rule_runs').execute();
  await db.schema.dropTable('rules').execute();
  await sql`drop index friends_bot_recent`.execute(db);
}
