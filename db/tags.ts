import { sql, type Kysely } from 'kysely';
import type { Tag, TagAddition, TagSource } from '../crm/tag.ts';
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
}
