import { sql, type Kysely } from 'kysely';

/**
 * Carts: connections with encrypted credentials, imported customers / orders / subscriptions,
 * sync cursors and runs, the friend's identity fields that linking matches on, and the links.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .alterTable('friends')
    // Identity as the friend gave it (forms) and its matching keys (E.164; trimmed lower-case e-mail).
    .addColumn('phone', 'text')
    .addColumn('phone_key', 'text')
    .addColumn('email', 'text')
    .addColumn('email_key', 'text')
    .addColumn('name', 'text')
    .addColumn('name_kana', 'text')
    .addColumn('birthday', 'date')
    .execute();
  await db.schema
    .createIndex('friends_bot_phone')
    .on('friends')
    .columns(['bot_id', 'phone_key'])
    .execute();
  await db.schema
    .createIndex('friends_bot_email')
    .on('friends')
    .columns(['bot_id', 'email_key'])
    .execute();

  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('cart', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credentials_sealed', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text')
    // connected | syncing | error | disconnected (F3.5)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('connected'))
    .addColumn('last_error', 'text')
    .addColumn('last_error_kind', 'text')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('birthday_sync', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('disconnected_at', 'timestamptz')
    .execute();
  // F3.3: one bot may connect each cart system once (a disconnected one may be replaced).
  await sql`create unique index connections_bot_cart on connections (bot_id, cart) where disconnected_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('sync_cursors')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('sync_cursors_pk', ['connection_id', 'resource'])
    .execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_sample', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('sync_runs_connection')
    .on('sync_runs')
    .columns(['connection_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('cart_customers')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('email', 'text')
    .addColumn('mobile_email', 'text')
    .addColumn('email_verified', 'boolean')
    // The address linking matches on (the cart's rule applied: mobile first, placeholders dropped).
    .addColumn('email_key', 'text')
    .addColumn('phones', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('phone_keys', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('line_user_id', 'text')
    .addColumn('name', 'text')
    .addColumn('name_kana', 'text')
    .addColumn('birthday', 'date')
    .addColumn('custom_data', 'jsonb')
    .addColumn('created_at_cart', 'timestamptz')
    .addColumn('updated_at_cart', 'timestamptz', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('cart_customers_pk', ['connection_id', 'external_id'])
    .execute();
  await sql`create index cart_customers_phone_keys on cart_customers using gin (phone_keys)`.execute(
    db,
  );
  await db.schema
    .createIndex('cart_customers_email')
    .on('cart_customers')
    .columns(['bot_id', 'email_key'])
    .execute();
  await db.schema
    .createIndex('cart_customers_line')
    .on('cart_customers')
    .columns(['bot_id', 'line_user_id'])
    .execute();

  await db.schema
    .createTable('cart_orders')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('customer_external_id', 'text')
    .addColumn('number', 'text')
    .addColumn('ordered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('total_amount', 'numeric', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('cancelled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('shipped_at', 'timestamptz')
    .addColumn('requested_delivery_date', 'date')
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('subscription_external_id', 'text')
    .addColumn('subscription_sequence', 'integer')
    .addColumn('orderer_phone_keys', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('orderer_email_key', 'text')
    .addColumn('updated_at_cart', 'timestamptz', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('cart_orders_pk', ['connection_id', 'external_id'])
    .execute();
  await db.schema
    .createIndex('cart_orders_customer')
    .on('cart_orders')
    .columns(['connection_id', 'customer_external_id'])
    .execute();

  await db.schema
    .createTable('cart_subscriptions')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('customer_external_id', 'text')
    .addColumn('raw_status', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('course_code', 'text')
    .addColumn('next_delivery_at', 'timestamptz')
    .addColumn('deliveries', 'integer')
    .addColumn('updated_at_cart', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('cart_subscriptions_pk', ['connection_id', 'external_id'])
    .execute();

  // Cart webhook deliveries seen, so a redelivered webhook is applied once (F3.8).
  await db.schema
    .createTable('cart_webhook_deliveries')
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('cart_webhook_deliveries_pk', ['connection_id', 'delivery_id'])
    .execute();

  // A friend ↔ cart customer link (F2.4/F2.5). Rows outlive later changes of phone or e-mail on
  // either side; staff unlinking keeps the row as `suppressed` so automatic rules never redo it.
  await db.schema
    .createTable('links')
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) => c.notNull().references('friends.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('customer_external_id', 'text', (c) => c.notNull())
    // phone | email | line_id | manual
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('suppressed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('links_pk', ['friend_id', 'connection_id', 'customer_external_id'])
    .execute();
  await db.schema
    .createIndex('links_customer')
    .on('links')
    .columns(['connection_id', 'customer_external_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'links',
    'cart_webhook_deliveries',
    'cart_subscriptions',
    'cart_orders',
    'cart_customers',
    'sync_runs',
    'sync_cursors',
    'connections',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  let alter = db.schema.alterTable('friends').dropColumn('phone');
  for (const column of ['phone_key', 'email', 'email_key', 'name', 'name_kana', 'birthday'])
    alter = alter.dropColumn(column);
  await alter.execute();
}
