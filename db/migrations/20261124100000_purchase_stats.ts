import { sql, type Kysely } from 'kysely';

/**
 * Derived purchase data (F4.2–F4.5): per-friend purchase stats kept up to date set-based after
 * every import page, webhook and link change (segment filters read them over a million friends,
 * so they are a table, not a query-time aggregate); where a friend's birthday came from; the
 * product catalog of each connection.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('friend_purchase_stats')
    .addColumn('friend_id', 'text', (c) =>
      c.primaryKey().references('friends.id').onDelete('cascade'),
    )
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('order_count', 'integer', (c) => c.notNull())
    .addColumn('total_amount', 'numeric', (c) => c.notNull())
    .addColumn('average_amount', 'numeric')
    .addColumn('first_ordered_at', 'timestamptz')
    .addColumn('last_ordered_at', 'timestamptz')
    // Codes as order lines carry them (product code / SKU; subscription course), for F5.2 filters.
    .addColumn('product_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('course_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('friend_purchase_stats_bot')
    .on('friend_purchase_stats')
    .columns(['bot_id', 'order_count'])
    .execute();
  await sql`create index friend_purchase_stats_products on friend_purchase_stats using gin (product_codes)`.execute(
    db,
  );

  // 'form' (the friend typed it: never overwritten by a cart) | 'cart' (F4.4 birthday sync).
  await db.schema.alterTable('friends').addColumn('birthday_source', 'text').execute();

  // A friend's subscriptions are read through links by (connection, customer).
  await db.schema
    .createIndex('cart_subscriptions_customer')
    .on('cart_subscriptions')
    .columns(['connection_id', 'customer_external_id'])
    .execute();

  await db.schema
    .createTable('cart_products')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('variant_name', 'text')
    .addColumn('course_code', 'text')
    .addColumn('price', 'numeric')
    .addColumn('url', 'text')
    .addColumn('image_url', 'text')
    .addColumn('updated_at_cart', 'timestamptz')
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cart_products_pk', ['connection_id', 'external_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cart_products').execute();
  await db.schema.dropIndex('cart_subscriptions_customer').execute();
  await db.schema.alterTable('friends').dropColumn('birthday_source').execute();
  await db.schema.dropTable('friend_purchase_stats').execute();
}
