import type { ColumnType } from 'kysely';

/** Row types of Kizuna's own tables. Repositories map these to `crm` types; nothing else sees rows. */
export interface Database {
  bots: BotsTable;
  routes: RoutesTable;
  route_visits: RouteVisitsTable;
  friends: FriendsTable;
  line_events: LineEventsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  postbacks: PostbacksTable;
  account_links: AccountLinksTable;
  line_requests: LineRequestsTable;
  follower_imports: FollowerImportsTable;
}

type Json = ColumnType<unknown, string, string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** Set by the database on insert unless given. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface BotsTable {
  id: string;
  name: string;
  channel_id: string | null;
  /** AES-GCM sealed (see secret-box.ts); never leaves the repository in clear except to call LINE. */
  channel_secret_sealed: string | null;
  access_token_sealed: string | null;
  liff_id: string | null;
  login_channel_id: string | null;
  sending_paused_reason: ColumnType<string | null, string | null | undefined, string | null>;
  sending_paused_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RoutesTable {
  id: string;
  bot_id: string;
  code: string;
  name: string;
  created_at: Timestamp;
}

/** A LINE user who opened a route's URL; their next follow is attributed to it. */
export interface RouteVisitsTable {
  bot_id: string;
  route_id: string;
  line_user_id: string;
  visited_at: Timestamp;
}

export interface FriendsTable {
  id: string;
  bot_id: string;
  line_user_id: string;
  display_name: string | null;
  picture_url: string | null;
  status_message: string | null;
  language: string | null;
  profile_fetched_at: NullableTimestamp;
  first_followed_at: NullableTimestamp;
  last_followed_at: NullableTimestamp;
  blocked_at: NullableTimestamp;
  route_id: string | null;
  source: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LineEventsTable {
  bot_id: string;
  webhook_event_id: string;
  seq: ColumnType<string, never, never>;
  type: string;
  line_user_id: string | null;
  occurred_at: Timestamp;
  is_redelivery: ColumnType<boolean, boolean | undefined, boolean>;
  payload: Json;
  received_at: Timestamp;
  state: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  run_after: Timestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  processed_at: NullableTimestamp;
}

export interface ConversationsTable {
  id: string;
  bot_id: string;
  friend_id: string;
  status: ColumnType<string, string | undefined, string>;
  unread_count: ColumnType<number, number | undefined, number>;
  last_message_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessagesTable {
  id: string;
  bot_id: string;
  conversation_id: string;
  direction: string;
  type: string;
  line_message_id: string | null;
  content: Json;
  webhook_event_id: string | null;
  sent_at: Timestamp;
  created_at: Timestamp;
}

export interface PostbacksTable {
  bot_id: string;
  webhook_event_id: string;
  friend_id: string;
  data: string;
  params: ColumnType<unknown, string | null, string | null>;
  handler: string | null;
  received_at: Timestamp;
}

export interface AccountLinksTable {
  bot_id: string;
  webhook_event_id: string;
  friend_id: string;
  nonce: string;
  result: string;
  received_at: Timestamp;
}

export interface LineRequestsTable {
  id: string;
  bot_id: string;
  kind: string;
  retry_key: string;
  body: Json;
  state: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  first_attempt_at: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  line_request_id: string | null;
  error: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface FollowerImportsTable {
  bot_id: string;
  state: string;
  next_cursor: string | null;
  imported: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
}
