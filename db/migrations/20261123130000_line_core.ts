import { sql, type Kysely } from 'kysely';

/** LINE core: routes, friends, the webhook inbox, conversations and messages, outgoing LINE requests. */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .alterTable('bots')
    // Set when LINE answers "monthly limit": sending stops for this bot until staff clear it.
    .addColumn('sending_paused_reason', 'text')
    .addColumn('sending_paused_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('routes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('routes_bot_code', ['bot_id', 'code'])
    .execute();

  await db.schema
    .createTable('route_visits')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('route_id', 'text', (c) => c.notNull().references('routes.id').onDelete('cascade'))
    .addColumn('line_user_id', 'text', (c) => c.notNull())
    .addColumn('visited_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('route_visits_user')
    .on('route_visits')
    .columns(['bot_id', 'line_user_id', 'visited_at'])
    .execute();

  await db.schema
    .createTable('friends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('line_user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('picture_url', 'text')
    .addColumn('status_message', 'text')
    .addColumn('language', 'text')
    .addColumn('profile_fetched_at', 'timestamptz')
    .addColumn('first_followed_at', 'timestamptz')
    .addColumn('last_followed_at', 'timestamptz')
    .addColumn('blocked_at', 'timestamptz')
    .addColumn('route_id', 'text', (c) => c.references('routes.id').onDelete('set null'))
    // How Kizuna first learnt of this friend: a follow event, another event, or the follower import.
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('friends_bot_line_user', ['bot_id', 'line_user_id'])
    .execute();

  await db.schema
    .createTable('line_events')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('webhook_event_id', 'text', (c) => c.notNull())
    // Arrival order: breaks ties between events with the same timestamp (LINE lists them in order).
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('line_user_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('is_redelivery', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    // pending → done | ignored | failed. `processing` is a claim that expires at locked_until.
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('processed_at', 'timestamptz')
    .addPrimaryKeyConstraint('line_events_pk', ['bot_id', 'webhook_event_id'])
    .execute();
  await sql`create index line_events_due on line_events (run_after) where state in ('pending', 'processing')`.execute(
    db,
  );

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('friend_id', 'text', (c) =>
      c.notNull().unique().references('friends.id').onDelete('cascade'),
    )
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('conversations_bot_recent')
    .on('conversations')
    .columns(['bot_id', 'last_message_at'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('line_message_id', 'text')
    // Text, sticker ids, location, or for media a reference to fetch from LINE's data API on demand.
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('webhook_event_id', 'text')
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('messages_bot_line_message', ['bot_id', 'line_message_id'])
    .execute();
  await db.schema
    .createIndex('messages_conversation_time')
    .on('messages')
    .columns(['conversation_id', 'sent_at'])
    .execute();

  await db.schema
    .createTable('postbacks')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('webhook_event_id', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) => c.notNull().references('friends.id').onDelete('cascade'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb')
    .addColumn('handler', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('postbacks_pk', ['bot_id', 'webhook_event_id'])
    .execute();

  await db.schema
    .createTable('account_links')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('webhook_event_id', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) => c.notNull().references('friends.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_links_pk', ['bot_id', 'webhook_event_id'])
    .execute();

  // Every push/multicast Kizuna makes: the retry key is stored before the first attempt, so a retry
  // after a crash or timeout reuses it and LINE delivers at most once.
  await db.schema
    .createTable('line_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('retry_key', 'uuid', (c) => c.notNull().unique())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    // pending → sending → sent | failed | paused
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_attempt_at', 'timestamptz')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('line_request_id', 'text')
    .addColumn('error', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('follower_imports')
    .addColumn('bot_id', 'text', (c) => c.primaryKey().references('bots.id').onDelete('cascade'))
    // running | done | unavailable (the account type cannot list followers) | failed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('next_cursor', 'text')
    .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('finished_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'follower_imports',
    'line_requests',
    'account_links',
    'postbacks',
    'messages',
    'conversations',
    'line_events',
    'friends',
    'route_visits',
    'routes',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema
    .alterTable('bots')
    .dropColumn('sending_paused_reason')
    .dropColumn('sending_paused_at')
    .execute();
}
