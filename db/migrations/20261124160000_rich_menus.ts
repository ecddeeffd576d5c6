import { sql, type Kysely } from 'kysely';

/**
 * Rich menus (F7): which LINE menu each definition was applied as, the per-friend rules, and the
 * menu Kizuna last linked to each friend — so a reassign links only friends whose menu changes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  // Written only once a menu's image is uploaded: a row always names a menu LINE can show.
  await db.schema
    .createTable('rich_menus')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rich_menu_id', 'text', (c) => c.notNull())
    // Hash of the LINE request body and the image: a changed definition is a new menu.
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('alias', 'text')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('rich_menus_pk', ['bot_id', 'name'])
    .execute();

  await db.schema
    .createTable('rich_menu_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('menu', 'text', (c) => c.notNull())
    .addColumn('filter', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('rich_menu_rules_bot')
    .on('rich_menu_rules')
    .columns(['bot_id', 'position'])
    .execute();

  // What Kizuna last linked (null: unlinked, the friend sees the default). No row: never touched.
  await db.schema
    .createTable('friend_rich_menus')
    .addColumn('friend_id', 'text', (c) =>
      c.primaryKey().references('friends.id').onDelete('cascade'),
    )
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('rich_menu_id', 'text')
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('friend_rich_menus_bot')
    .on('friend_rich_menus')
    .columns(['bot_id', 'rich_menu_id'])
    .execute();

  // Each bot's reassign passes: changes after `watermark` are picked up by the next minute's
  // pass; a full pass every quarter hour catches what leaves no trace (a tag removed).
  await db.schema
    .createTable('rich_menu_passes')
    .addColumn('bot_id', 'text', (c) => c.primaryKey().references('bots.id').onDelete('cascade'))
    .addColumn('watermark', 'timestamptz', (c) => c.notNull())
    .addColumn('full_pass_at', 'timestamptz')
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('linked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unlinked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('duration_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rich_menu_passes').execute();
  await db.schema.dropTable('friend_rich_menus').execute();
  await db.schema.dropTable('rich_menu_rules').execute();
  await db.schema.dropTable('rich_menus').execute();
}
