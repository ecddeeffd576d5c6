import { sql, type Kysely } from 'kysely';
import type { Tag, TagAddition, TagSource } from '../crm/tag.ts';
import { addTagWhere, removeTagWhere, type ChangeSource } from './tag-changes.ts';
import type { Database } from './schema.ts';

export interface AddTagsOptions {
  source: TagSource;
  /** What did it, e.g. `form:identity`. */
  sourceRef?: string;
  /**
   * Log a tag the friend already has as added again (a form re-submit, F2.2: its tag-added
   * triggers fire again). Otherwise an add of a tag the friend has changes and logs nothing.
   */
  readd?: boolean;
}

/**
 * Tags of a bot and who has them (F5.1), the minimal model: every real addition, and every re-add
 * by a form, is a `tag_events` row that later tag-added triggers read.
 */
export class TagRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The bot's tags of these names, created when missing. */
  async ensure(botId: string, names: readonly string[]): Promise<Tag[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    await this.db
      .insertInto('tags')
      .values(unique.map((name) => ({ id: crypto.randomUUID(), bot_id: botId, name })))
      .onConflict((oc) => oc.columns(['bot_id', 'name']).doNothing())
      .execute();
    const rows = await this.db
      .selectFrom('tags')
      .select(['id', 'bot_id', 'name'])
      .where('bot_id', '=', botId)
      .where('name', 'in', unique)
      .execute();
    return rows.map((r) => ({ id: r.id, botId: r.bot_id, name: r.name }));
  }

  /** Adds tags to one friend in one statement; returns what was logged. */
  async add(
    botId: string,
    friendId: string,
    tags: readonly Tag[],
    options: AddTagsOptions,
  ): Promise<TagAddition[]> {
    if (tags.length === 0) return [];
    const ids = tags.map((t) => t.id);
    const result = await sql<{ tag_id: string; readded: boolean }>`
      with wanted as (select id from tags where bot_id = ${botId} and id = any(${ids}::text[])),
      added as (
        insert into friend_tags (friend_id, tag_id, bot_id, source)
        select ${friendId}, id, ${botId}, ${options.source} from wanted
        on conflict do nothing
        returning tag_id)
      insert into tag_events (bot_id, friend_id, tag_id, action, source, source_ref, readded)
      select ${botId}, ${friendId}, w.id, 'added', ${options.source}, ${options.sourceRef ?? null},
        a.tag_id is null
      from wanted w left join added a on a.tag_id = w.id
      where a.tag_id is not null or ${options.readd ?? false}
      returning tag_id, readded`.execute(this.db);
    const names = new Map(tags.map((t) => [t.id, t.name]));
    return result.rows.map((r) => ({
      tagId: r.tag_id,
      name: names.get(r.tag_id) ?? '',
      readded: r.readded,
    }));
  }

  /** The names of a friend's tags, alphabetically. */
  async namesOf(friendId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('friend_tags')
      .innerJoin('tags', 'tags.id', 'friend_tags.tag_id')
      .select('tags.name')
      .where('friend_tags.friend_id', '=', friendId)
      .orderBy('tags.name')
      .execute();
    return rows.map((r) => r.name);
  }

  /** The bot's tags by name, with how many friends have each. */
  async list(botId: string): Promise<(Tag & { friendCount: number; createdAt: Date })[]> {
    const rows = await this.db
      .selectFrom('tags as t')
      .leftJoin('friend_tags as ft', 'ft.tag_id', 't.id')
      .select(['t.id', 't.bot_id', 't.name', 't.created_at'])
      .select((eb) => eb.fn.count<string>('ft.friend_id').as('friends'))
      .where('t.bot_id', '=', botId)
      .groupBy(['t.id', 't.bot_id', 't.name', 't.created_at'])
      .orderBy('t.name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      botId: r.bot_id,
      name: r.name,
      createdAt: r.created_at,
      friendCount: Number(r.friends),
    }));
  }

  async get(botId: string, id: string): Promise<Tag | undefined> {
    const row = await this.db
      .selectFrom('tags')
      .select(['id', 'bot_id', 'name'])
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { id: row.id, botId: row.bot_id, name: row.name };
  }

  /** A new tag, or undefined when the bot already has one of this name. */
  async create(botId: string, name: string): Promise<Tag | undefined> {
    const row = await this.db
      .insertInto('tags')
      .values({ id: crypto.randomUUID(), bot_id: botId, name })
      .onConflict((oc) => oc.columns(['bot_id', 'name']).doNothing())
      .returning(['id', 'bot_id', 'name'])
      .executeTakeFirst();
    return row && { id: row.id, botId: row.bot_id, name: row.name };
  }

  /** 'renamed', 'missing', or 'taken' (another tag has the name). */
  async rename(botId: string, id: string, name: string): Promise<'renamed' | 'missing' | 'taken'> {
    const taken = await this.db
      .selectFrom('tags')
      .select('id')
      .where('bot_id', '=', botId)
      .where('name', '=', name)
      .where('id', '<>', id)
      .executeTakeFirst();
    if (taken) return 'taken';
    const result = await this.db
      .updateTable('tags')
      .set({ name })
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? 'renamed' : 'missing';
  }

  /** Deletes the tag; friends lose it and rules acting on it go with it (cascade). */
  async delete(botId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('tags')
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** A friend's tags with who added each and when. */
  async ofFriend(friendId: string) {
    const rows = await this.db
      .selectFrom('friend_tags as ft')
      .innerJoin('tags as t', 't.id', 'ft.tag_id')
      .select(['t.id', 't.name', 'ft.source', 'ft.added_at'])
      .where('ft.friend_id', '=', friendId)
      .orderBy('t.name')
      .execute();
    return rows.map((r) => ({ tagId: r.id, name: r.name, source: r.source, addedAt: r.added_at }));
  }

  /** Adds the tag to one friend; true when the friend did not have it. */
  async addOne(botId: string, friendId: string, tagId: string, by: ChangeSource) {
    return (await addTagWhere(this.db, botId, tagId, sql`f.id = ${friendId}`, by)) > 0;
  }

  /** Removes the tag from one friend; true when the friend had it. */
  async removeOne(botId: string, friendId: string, tagId: string, by: ChangeSource) {
    return (await removeTagWhere(this.db, botId, tagId, sql`f.id = ${friendId}`, by)) > 0;
  }
}
