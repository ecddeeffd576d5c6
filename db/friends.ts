import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { ROUTE_ATTRIBUTION_MS, type Friend, type FriendSource } from '../crm/friend.ts';
import type { LineProfile } from '../bot/line-port.ts';
import { executePrepared } from './prepared.ts';
import type { Database, FriendsTable } from './schema.ts';

export interface UpsertedFriend {
  id: string;
  created: boolean;
}

/**
 * Friends of a bot, the write side (the console's reads are in friend-queries.ts). Every write is
 * an upsert keyed by (bot, LINE user id), so events that race or arrive out of order converge: the
 * earliest follow stays first, the latest follow or block wins, and a block older than the latest
 * follow never hides a friend.
 */
export class FriendRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A follow (new friend, re-follow or unblock) at `at`. */
  async follow(botId: string, lineUserId: string, at: Date): Promise<UpsertedFriend> {
    return one(await this.followMany(botId, [{ lineUserId, at }]), lineUserId);
  }

  /**
   * Follows of many users in one statement, each attributed to the route whose URL the user opened
   * most recently before following (within the attribution window).
   */
  async followMany(botId: string, follows: FriendEvent[]): Promise<Map<string, UpsertedFriend>> {
    const v = spans(follows);
    if (v.users.length === 0) return new Map();
    const window = ROUTE_ATTRIBUTION_MS / 1000;
    return upserted(
      await executePrepared(
        this.db,
        sql<UpsertedRow>`
      insert into friends (id, bot_id, line_user_id, source, first_followed_at, last_followed_at, route_id)
      select gen_random_uuid()::text, ${botId}, v.u, 'follow', v.first_at, v.last_at,
        (select rv.route_id from route_visits rv
         where rv.bot_id = ${botId} and rv.line_user_id = v.u
           and rv.visited_at >= v.last_at - make_interval(secs => ${window})
           and rv.visited_at <= v.last_at + interval '60 seconds'
         order by rv.visited_at desc limit 1)
      from unnest(${v.users}::text[], ${v.first}::timestamptz[], ${v.last}::timestamptz[]) as v(u, first_at, last_at)
      on conflict (bot_id, line_user_id) do update set
        first_followed_at = least(friends.first_followed_at, excluded.first_followed_at),
        last_followed_at = greatest(friends.last_followed_at, excluded.last_followed_at),
        blocked_at = case when friends.blocked_at < excluded.last_followed_at then null else friends.blocked_at end,
        route_id = coalesce(friends.route_id, excluded.route_id),
        updated_at = now()
      returning id, line_user_id, (xmax = 0) as created`,
      ),
    );
  }

  /** An unfollow (the user blocked the account) at `at`. */
  async block(botId: string, lineUserId: string, at: Date): Promise<UpsertedFriend> {
    return one(await this.blockMany(botId, [{ lineUserId, at }]), lineUserId);
  }

  /** Unfollows of many users in one statement; a block older than the latest follow is ignored. */
  async blockMany(botId: string, blocks: FriendEvent[]): Promise<Map<string, UpsertedFriend>> {
    const v = spans(blocks);
    if (v.users.length === 0) return new Map();
    return upserted(
      await sql<UpsertedRow>`
      insert into friends (id, bot_id, line_user_id, source, blocked_at)
      select gen_random_uuid()::text, ${botId}, v.u, 'event', v.at
      from unnest(${v.users}::text[], ${v.last}::timestamptz[]) as v(u, at)
      on conflict (bot_id, line_user_id) do update set
        blocked_at = case when excluded.blocked_at >= coalesce(friends.last_followed_at, '-infinity'::timestamptz)
          then greatest(friends.blocked_at, excluded.blocked_at) else friends.blocked_at end,
        updated_at = now()
      returning id, line_user_id, (xmax = 0) as created`.execute(this.db),
    );
  }

  /** Makes sure a friend row exists (a user who followed before Kizuna was connected). */
  async ensure(botId: string, lineUserId: string, source: FriendSource): Promise<UpsertedFriend> {
    return one(await this.ensureMany(botId, [lineUserId], source), lineUserId);
  }

  /**
   * Read first, and write only the users not found: nearly every event comes from a known friend,
   * and an upsert would write a new version of each friend's row (and of every index on friends,
   * the page being full) only to return its id.
   */
  async ensureMany(
    botId: string,
    lineUserIds: string[],
    source: FriendSource,
  ): Promise<Map<string, UpsertedFriend>> {
    const users = [...new Set(lineUserIds)];
    if (users.length === 0) return new Map();
    const { rows: found } = await executePrepared(
      this.db,
      sql<{ id: string; line_user_id: string }>`
      select f.id, f.line_user_id from ${friendsOfLineUsers(botId, users)}`,
    );
    const out = new Map(found.map((r) => [r.line_user_id, { id: r.id, created: false }]));
    const missing = users.filter((u) => !out.has(u));
    if (missing.length === 0) return out;
    // The upsert returns the row also when another transaction has just made it.
    const made = await sql<UpsertedRow>`
      insert into friends (id, bot_id, line_user_id, source)
      select gen_random_uuid()::text, ${botId}, u, ${source} from unnest(${missing}::text[]) as u
      on conflict (bot_id, line_user_id) do update set bot_id = friends.bot_id
      returning id, line_user_id, (xmax = 0) as created`.execute(this.db);
    for (const [user, friend] of upserted(made)) out.set(user, friend);
    return out;
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

  /** Of these users, the friends whose profile was not fetched since `since`. */
  async profilesDue(botId: string, lineUserIds: string[], since: Date): Promise<string[]> {
    const { rows } = await sql<{ line_user_id: string }>`
      select f.line_user_id from ${friendsOfLineUsers(botId, lineUserIds)}
      where f.profile_fetched_at is null or f.profile_fetched_at < ${since}`.execute(this.db);
    return rows.map((r) => r.line_user_id);
  }

  /**
   * Stores fetched profiles in one statement. Each friend is found by one probe of the (bot, LINE
   * user) key (see friendsOfLineUsers): joined on it directly, the plan read every friend of the
   * bot to update a job's hundred.
   */
  async saveProfiles(botId: string, profiles: LineProfile[], at: Date): Promise<void> {
    if (profiles.length === 0) return;
    const column = <K extends keyof LineProfile>(key: K) => profiles.map((p) => p[key] ?? null);
    await sql`
      update friends set display_name = v.display_name, picture_url = v.picture_url,
        status_message = v.status_message, language = v.language,
        profile_fetched_at = ${at.toISOString()}::timestamptz, updated_at = ${at.toISOString()}::timestamptz
      from unnest(${column('userId')}::text[], ${column('displayName')}::text[],
        ${column('pictureUrl')}::text[], ${column('statusMessage')}::text[], ${column('language')}::text[])
          as v(line_user_id, display_name, picture_url, status_message, language),
        lateral (select id from friends k where k.bot_id = ${botId} and k.line_user_id = v.line_user_id
          limit 1) as k
      where friends.id = k.id`.execute(this.db);
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

/**
 * A FROM clause: `f`, the friend row of each of these LINE users that has one. Each is one probe of
 * the (bot, LINE user) key, lateral with `limit 1` so that PostgreSQL cannot flatten it into a
 * join: written as `line_user_id = any(array)`, the plan scanned every friend of the bot whenever
 * statistics were missing or the bot looked small, a few milliseconds per statement, on every
 * batch of events.
 */
export function friendsOfLineUsers(botId: string, lineUserIds: string[]): RawBuilder<unknown> {
  return sql`unnest(${lineUserIds}::text[]) as u(line_user_id),
    lateral (select * from friends
             where bot_id = ${botId} and line_user_id = u.line_user_id limit 1) as f`;
}

/** A follow or block of one user at a time. */
export interface FriendEvent {
  lineUserId: string;
  at: Date;
}

interface UpsertedRow {
  id: string;
  line_user_id: string;
  created: boolean;
}

/**
 * One row per user for a set-based upsert (PostgreSQL refuses to update a row twice in one
 * statement): the user's earliest and latest times, as ISO strings both drivers send exactly.
 */
function spans(events: FriendEvent[]): { users: string[]; first: string[]; last: string[] } {
  const byUser = new Map<string, { first: Date; last: Date }>();
  for (const { lineUserId, at } of events) {
    const seen = byUser.get(lineUserId);
    if (!seen) byUser.set(lineUserId, { first: at, last: at });
    else {
      if (at < seen.first) seen.first = at;
      if (at > seen.last) seen.last = at;
    }
  }
  const entries = [...byUser];
  return {
    users: entries.map(([u]) => u),
    first: entries.map(([, t]) => t.first.toISOString()),
    last: entries.map(([, t]) => t.last.toISOString()),
  };
}

function upserted(result: { rows: UpsertedRow[] }): Map<string, UpsertedFriend> {
  return new Map(result.rows.map((r) => [r.line_user_id, { id: r.id, created: r.created }]));
}

function one(friends: Map<string, UpsertedFriend>, lineUserId: string): UpsertedFriend {
  const friend = friends.get(lineUserId);
  if (!friend) throw new Error(`upsert returned no row for ${lineUserId}`);
  return friend;
}
