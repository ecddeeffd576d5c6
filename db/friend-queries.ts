import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { ConversationStatus, Friend, MessageDirection } from '../crm/friend.ts';
import type { Filter } from '../crm/filter.ts';
import { filterWhere } from './filter-sql.ts';
import { toFriend } from './friends.ts';
import { page, sortTime, type Page, type SortTime } from './page.ts';
import type { Database, FriendsTable } from './schema.ts';

/**
 * Read-side queries for the staff console: friends, conversations and messages of one bot, paged
 * by keyset (the sort key of the last row seen), so a page never skips or repeats rows however
 * deep it is and costs the same on page 1 and page 1000.
 */

export type { Page, SortTime };

export type FollowStatus = 'following' | 'blocked' | 'unknown';
export interface FriendView extends Friend {
  followStatus: FollowStatus;
}
/** Friends sort newest first: created_at desc, id desc. */
export type FriendKey = [createdAt: SortTime, id: string];

export interface ConversationView {
  id: string;
  friendId: string;
  friend: { displayName: string | null; pictureUrl: string | null; lineUserId: string };
  status: ConversationStatus;
  unreadCount: number;
  lastMessageAt: Date | null;
}
/** Unread first, then most recent (never-messaged last), then id. */
export type ConversationKey = [unread: boolean, lastMessageAt: SortTime | null, id: string];

export interface MessageView {
  id: string;
  direction: MessageDirection;
  type: string;
  lineMessageId: string | null;
  content: Record<string, unknown>;
  sentAt: Date;
}
/** Messages sort newest first: sent_at desc, id desc. */
export type MessageKey = [sentAt: SortTime, id: string];

export interface FollowerImportView {
  state: string;
  imported: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * Whether the friend follows the bot now. A block later than the last follow stands (the
 * repository keeps blocked_at only then); an imported follower was on LINE's follower list, so
 * follows even though no follow event was seen; a friend known only from other events is unknown.
 */
export function followStatus(friend: Pick<Friend, 'blockedAt' | 'lastFollowedAt'>, source: string) {
  if (friend.blockedAt) return 'blocked' as const;
  if (friend.lastFollowedAt || source === 'import') return 'following' as const;
  return 'unknown' as const;
}

export class FriendQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    botId: string,
    options: {
      lineUserId?: string | undefined;
      after?: FriendKey | undefined;
      limit: number;
      /** Only friends this filter selects (F5.2), compiled into the same query. */
      filter?: Filter | undefined;
      timeZone?: string | undefined;
    },
  ): Promise<Page<FriendView, FriendKey>> {
    let query = this.db
      .selectFrom('friends as f')
      .selectAll()
      .select(sortTime('created_at').as('sort_at'))
      .where('bot_id', '=', botId);
    if (options.lineUserId) query = query.where('line_user_id', '=', options.lineUserId);
    if (options.filter)
      query = query.where(filterWhere(botId, options.filter, { timeZone: options.timeZone }));
    const after = options.after;
    if (after)
      query = query.where(sql<boolean>`(created_at, id) < (${after[0]}::timestamptz, ${after[1]})`);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    return page(rows, options.limit, toFriendView, (r): FriendKey => [r.sort_at, r.id]);
  }

  async get(botId: string, id: string): Promise<FriendView | undefined> {
    const row = await this.db
      .selectFrom('friends')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toFriendView(row);
  }

  async followerImport(botId: string): Promise<FollowerImportView | undefined> {
    const row = await this.db
      .selectFrom('follower_imports')
      .select(['state', 'imported', 'error', 'started_at', 'finished_at'])
      .where('bot_id', '=', botId)
      .executeTakeFirst();
    return (
      row && {
        state: row.state,
        imported: row.imported,
        error: row.error,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      }
    );
  }
}

export class ConversationQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    botId: string,
    options: {
      status?: ConversationStatus | undefined;
      after?: ConversationKey | undefined;
      limit: number;
    },
  ): Promise<Page<ConversationView, ConversationKey>> {
    let query = this.db
      .selectFrom('conversations as c')
      .innerJoin('friends as f', 'f.id', 'c.friend_id')
      .select([
        'c.id',
        'c.friend_id',
        'c.status',
        'c.unread_count',
        'c.last_message_at',
        'f.display_name',
        'f.picture_url',
        'f.line_user_id',
        sortTime('c.last_message_at').as('sort_at'),
      ])
      .where('c.bot_id', '=', botId);
    if (options.status) query = query.where('c.status', '=', options.status);
    if (options.after) query = query.where(afterConversation(options.after));
    const rows = await query
      .orderBy(sql`(c.unread_count > 0) desc, c.last_message_at desc nulls last, c.id`)
      .limit(options.limit + 1)
      .execute();
    return page(
      rows,
      options.limit,
      (r): ConversationView => ({
        id: r.id,
        friendId: r.friend_id,
        friend: {
          displayName: r.display_name,
          pictureUrl: r.picture_url,
          lineUserId: r.line_user_id,
        },
        status: r.status as ConversationStatus,
        unreadCount: r.unread_count,
        lastMessageAt: r.last_message_at,
      }),
      (r): ConversationKey => [r.unread_count > 0, r.sort_at, r.id],
    );
  }

  async exists(botId: string, id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async messages(
    botId: string,
    conversationId: string,
    options: { after?: MessageKey | undefined; limit: number },
  ): Promise<Page<MessageView, MessageKey>> {
    let query = this.db
      .selectFrom('messages')
      .select(['id', 'direction', 'type', 'line_message_id', 'content', 'sent_at'])
      .select(sortTime('sent_at').as('sort_at'))
      .where('bot_id', '=', botId)
      .where('conversation_id', '=', conversationId);
    const after = options.after;
    if (after)
      query = query.where(sql<boolean>`(sent_at, id) < (${after[0]}::timestamptz, ${after[1]})`);
    const rows = await query
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    return page(
      rows,
      options.limit,
      (r): MessageView => ({
        id: r.id,
        direction: r.direction as MessageDirection,
        type: r.type,
        lineMessageId: r.line_message_id,
        content: r.content as Record<string, unknown>,
        sentAt: r.sent_at,
      }),
      (r): MessageKey => [r.sort_at, r.id],
    );
  }
}

/**
 * Rows after `key` in the conversation order. The columns sort in different directions (and the
 * time may be null, sorted last), so one row-value comparison cannot express it: spelled out.
 */
function afterConversation([unread, time, id]: ConversationKey): RawBuilder<boolean> {
  const sameTimeLater =
    time === null
      ? sql`c.last_message_at is null and c.id > ${id}`
      : sql`c.last_message_at < ${time}::timestamptz or c.last_message_at is null
        or (c.last_message_at = ${time}::timestamptz and c.id > ${id})`;
  const sameGroup = sql`(c.unread_count > 0) = ${unread} and (${sameTimeLater})`;
  // Read conversations come after every unread one.
  return unread
    ? sql<boolean>`not (c.unread_count > 0) or (${sameGroup})`
    : sql<boolean>`${sameGroup}`;
}

function toFriendView(row: Selectable<FriendsTable>): FriendView {
  const friend = toFriend(row);
  return { ...friend, followStatus: followStatus(friend, row.source) };
}
