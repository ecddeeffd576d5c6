import type { Kysely } from 'kysely';

/**
 * How a friend got their menu: 'rule' (a reassign pass) or 'switch' (a direct switch, F6.6). A
 * switched menu holds until the friend's tags, links or purchases change again; full passes
 * leave it alone rather than undoing a message action every quarter hour.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('friend_rich_menus')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('rule'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('friend_rich_menus').dropColumn('source').execute();
}
