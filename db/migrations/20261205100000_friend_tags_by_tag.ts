import type { Kysely } from 'kysely';

/**
 * A tag's holders by (tag_id, friend_id) instead of tag_id alone: the anti-join of every rule
 * ("not already tagged") and the friend list's tag conditions read a tag's friend ids from the
 * index alone, without a heap visit per holder.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('friend_tags_tag_friend')
    .on('friend_tags')
    .columns(['tag_id', 'friend_id'])
    .execute();
  await db.schema.dropIndex('friend_tags_tag').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('friend_tags_tag').on('friend_tags').columns(['tag_id']).execute();
  await db.schema.dropIndex('friend_tags_tag_friend').execute();
}
