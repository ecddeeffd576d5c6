import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { ROUTE_ATTRIBUTION_MS, type Friend, type FriendSource } from '../crm/friend.ts';
import type { LineProfile } from '../bot/line-port.ts';
import type { Database, FriendsTable } from './schema.ts';

export interface UpsertedFriend {
  id: string;
  created: boolean;
}

/**
 * Friends of a bot. Every write is a single upsert keyed by (bot, LINE user id), so events that
 * race or arrive out of order converge: the earliest follow stays first, the latest follow or
 * block wins, and a block older than the latest follow never hides a friend.
 */
export class FriendRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(botId: string, id: string): Promise<Friend | undefined> {
    const row = await this.db
      .selectFrom('friends')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toFriend(row);
  }

  async findByLineUserId(botId: string, lineUserId: string): Promise<Friend | undefined> {
    const row = await this.db
      .selectFrom('friends')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('line_user_id', '=', lineUserId)
      .executeTakeFirst();
    return row && toFriend(row);
  }

  async list(botId: string, limit = 100): Promise<Friend[]> {
    const rows = await this.db
      .selectFrom('friends')
      .selectAll()
      .where('bot_id', '=', botId)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toFriend);
  }

  /** A follow (new friend, re-follow or unblock) at `at`. */
  async follow(botId: string, lineUserId: string, at: Date): Promise<UpsertedFriend> {
    const routeId = await this.attributedRoute(botId, lineUserId, at);
    return this.upsert(
      botId,
      lineUserId,
      'follow',
      { first_followed_at: at, last_followed_at: at, route_id: routeId },
      {
        first_followed_at: sql`least(friends.first_followed_at, excluded.first_followed_at)`,
        last_followed_at: sql`greatest(friends.last_followed_at, excluded.last_followed_at)`,
        blocked_at: sql`case when friends.blocked_at < excluded.last_followed_at then null else friends.blocked_at end`,
        route_id: sql`coalesce(friends.route_id, excluded.route_id)`,
      },
    );
  }

  /** An unfollow (the user blocked the account) at `at`. */
  async block(botId: string, lineUserId: string, at: Date): Promise<UpsertedFriend> {
    return this.upsert(
      botId,
      lineUserId,
      'event',
      { blocked_at: at },
      {
        blocked_at: sql`case when excluded.blocked_at >= coalesce(friends.last_followed_at, '-infinity'::timestamptz)
        then greatest(friends.blocked_at, excluded.blocked_at) else friends.blocked_at end`,
      },
    );
  }

  /** Makes sure a friend row exists (a user who followed before Kizuna was connected). */
  async ensure(botId: string, lineUserId: string, source: FriendSource): Promise<UpsertedFriend> {
    return this.upsert(botId, lineUserId, source, {}, {});
  }

  /** Creates the friends of an imported page of follower ids not known yet; returns their ids. */
  async importFollowers(botId: string, lineUserIds: string[]): Promise<string[]> {
    if (lineUserIds.length === 0) return [];
    const inserted = await this.db
      .insertInto('friends')
      .values(
        lineUserIds.map((lineUserId) => ({
          id: crypto.randomUUID(),
          bot_id: botId,
          line_user_id: lineUserId,
          source: 'import',
        })),
      )
      .onConflict((oc) => oc.columns(['bot_id', 'line_user_id']).doNothing())
      .returning('line_user_id')
      .execute();
    return inserted.map((r) => r.line_user_id);
  }

  async saveProfile(botId: string, profile: LineProfile, at: Date): Promise<void> {
    await this.db
      .updateTable('friends')
      .set({
        display_name: profile.displayName,
        picture_url: profile.pictureUrl ?? null,
        status_message: profile.statusMessage ?? null,
        language: profile.language ?? null,
        profile_fetched_at: at,
        updated_at: at,
      })
      .where('bot_id', '=', botId)
      .where('line_user_id', '=', profile.userId)
      .execute();
  }

  /** The route whose URL this user opened most recently before following (within the window). */
  private async attributedRoute(
    botId: string,
    lineUserId: string,
    at: Date,
  ): Promise<string | null> {
    const visit = await this.db
      .selectFrom('route_visits')
      .select('route_id')
      .where('bot_id', '=', botId)
      .where('line_user_id', '=', lineUserId)
      .where('visited_at', '>=', new Date(at.getTime() - ROUTE_ATTRIBUTION_MS))
      .where('visited_at', '<=', new Date(at.getTime() + 60_000))
      .orderBy('visited_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return visit?.route_id ?? null;
  }

  private async upsert(
    botId: string,
    lineUserId: string,
    source: FriendSource,
    values: Partial<
      Pick<
        Insertable<FriendsTable>,
        'first_followed_at' | 'last_followed_at' | 'blocked_at' | 'route_id'
      >
    >,
    set: Partial<
      Record<
        'first_followed_at' | 'last_followed_at' | 'blocked_at' | 'route_id',
        RawBuilder<never>
      >
    >,
  ): Promise<UpsertedFriend> {
    const row = await this.db
      .insertInto('friends')
      .values({
        id: crypto.randomUUID(),
        bot_id: botId,
        line_user_id: lineUserId,
        source,
        ...values,
      })
      .onConflict((oc) => {
        const target = oc.columns(['bot_id', 'line_user_id']);
        // A no-op update still returns the row (do nothing would return none).
        return target.doUpdateSet(
          Object.keys(set).length > 0
            ? { ...set, updated_at: sql<Date>`now()` }
            : { bot_id: sql<string>`friends.bot_id` },
        );
      })
      .returning(['id', sql<boolean>`(xmax = 0)`.as('created')])
      .executeTakeFirstOrThrow();
    return { id: row.id, created: row.created };
  }
}

/** Maps a friends row to the domain type (shared by the read queries). */
export function toFriend(row: Selectable<FriendsTable>): Friend {
  return {
    id: row.id,
    botId: row.bot_id,
    lineUserId: row.line_user_id,
    displayName: row.display_name,
    pictureUrl: row.picture_url,
    statusMessage: row.status_message,
    language: row.language,
    firstFollowedAt: row.first_followed_at,
    lastFollowedAt: row.last_followed_at,
    blockedAt: row.blocked_at,
    routeId: row.route_id,
    profileFetchedAt: row.profile_fetched_at,
    createdAt: row.created_at,
  };
}
