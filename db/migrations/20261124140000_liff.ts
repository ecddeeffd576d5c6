import { sql, type Kysely } from 'kysely';

/**
 * The LIFF mini-apps (F2.1–F2.3, F2.8, F8): tags (the minimal model forms add to; rules come
 * later), forms as data, form submissions (the idempotency key and rate-limit log of the identity
 * form), account-link nonces, and the shop login page of LINE Account Link per bot.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('tags_bot_name', ['bot_id', 'name'])
    .execute();

  await db.schema
    .createTable('friend_tags')
    .addColumn('friend_id', 'text', (c) =>
      c.notNull().references('friends.id').onDelete('cascade'),
    )
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('bot_id', 'text', (c) => c.notNull())
    // staff | form | rule | message | link
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('friend_tags_pk', ['friend_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('friend_tags_tag').on('friend_tags').columns(['tag_id']).execute();

  // One row per addition that happened, and per re-add by a form re-submit (F2.2): what
  // tag-added triggers (F5.4) will read.
  await db.schema
    .createTable('tag_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) =>
      c.notNull().references('friends.id').onDelete('cascade'),
    )
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // What did it, e.g. `form:identity` or a staff member.
    .addColumn('source_ref', 'text')
    .addColumn('readded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('tag_events_friend')
    .on('tag_events')
    .columns(['friend_id', 'at'])
    .execute();

  await db.schema
    .createTable('forms')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('forms_pk', ['bot_id', 'key'])
    .execute();

  await db.schema
    .createTable('form_submissions')
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    // The client's idempotency key (a UUID per submit intent).
    .addColumn('submission_id', 'text', (c) => c.notNull())
    .addColumn('form_key', 'text', (c) => c.notNull())
    .addColumn('friend_id', 'text', (c) =>
      c.notNull().references('friends.id').onDelete('cascade'),
    )
    .addColumn('values', 'jsonb', (c) => c.notNull())
    .addColumn('outcome', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('form_submissions_pk', ['bot_id', 'submission_id'])
    .execute();
  await db.schema
    .createIndex('form_submissions_friend')
    .on('form_submissions')
    .columns(['friend_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('account_link_nonces')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('bot_id', 'text', (c) => c.notNull().references('bots.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) =>
      c.notNull().references('connections.id').onDelete('cascade'),
    )
    .addColumn('customer_external_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('friend_id', 'text', (c) => c.references('friends.id').onDelete('set null'))
    .execute();

  // What an accountLink event did: linked | failed | unknown_nonce | expired | used.
  await db.schema.alterTable('account_links').addColumn('outcome', 'text').execute();

  await db.schema
    .alterTable('bots')
    .addColumn('account_link_url', 'text')
    .addColumn('account_link_secret_sealed', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('bots')
    .dropColumn('account_link_url')
    .dropColumn('account_link_secret_sealed')
    .execute();
  await db.schema.alterTable('account_links').dropColumn('outcome').execute();
  for (const table of [
    'account_link_nonces',
    'form_submissions',
    'forms',
    'tag_events',
    'friend_tags',
    'tags',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
