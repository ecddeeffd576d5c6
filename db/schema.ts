import type { ColumnType } from 'kysely';

/** Row types of Kizuna's own tables. Repositories map these to `crm` types; nothing else sees rows. */
export interface Database {
  bots: BotsTable;
  routes: RoutesTable;
  route_visits: RouteVisitsTable;
  friends: FriendsTable;
  line_events: LineEventsTable;
  line_inbox: LineInboxTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  postbacks: PostbacksTable;
  account_links: AccountLinksTable;
  line_requests: LineRequestsTable;
  follower_imports: FollowerImportsTable;
  connections: ConnectionsTable;
  sync_cursors: SyncCursorsTable;
  sync_runs: SyncRunsTable;
  cart_customers: CartCustomersTable;
  cart_orders: CartOrdersTable;
  cart_subscriptions: CartSubscriptionsTable;
  links: LinksTable;
  cart_webhook_deliveries: CartWebhookDeliveriesTable;
  friend_purchase_stats: FriendPurchaseStatsTable;
  cart_products: CartProductsTable;
  notices: NoticesTable;
  tags: TagsTable;
  friend_tags: FriendTagsTable;
  tag_events: TagEventsTable;
  forms: FormsTable;
  form_submissions: FormSubmissionsTable;
  account_link_nonces: AccountLinkNoncesTable;
  rules: RulesTable;
  rule_runs: RuleRunsTable;
  rich_menus: RichMenusTable;
  rich_menu_rules: RichMenuRulesTable;
  friend_rich_menus: FriendRichMenusTable;
  rich_menu_passes: RichMenuPassesTable;
}

type Json = ColumnType<unknown, string, string>;
/** A nullable column that may be left out on insert. */
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Flag = ColumnType<boolean, boolean | undefined, boolean>;
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
  /** The shop's login page of LINE Account Link (F2.8). */
  account_link_url: Nullable<string>;
  /** Signs the shop login page's return to Kizuna (sealed like the channel secret). */
  account_link_secret_sealed: Nullable<string>;
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
  phone: Nullable<string>;
  phone_key: Nullable<string>;
  email: Nullable<string>;
  email_key: Nullable<string>;
  name: Nullable<string>;
  name_kana: Nullable<string>;
  birthday: Nullable<string>;
  /** 'form' | 'cart': a birthday the friend gave is never overwritten by a cart (F4.4). */
  birthday_source: Nullable<string>;
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

/** Acknowledged webhook bodies waiting for intake into line_events. */
export interface LineInboxTable {
  id: ColumnType<string, never, never>;
  bot_id: string;
  body: Uint8Array;
  received_at: ColumnType<Date, Date | string | undefined, never>;
  last_error: string | null;
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
  /** linked | failed | unknown_nonce | expired | used */
  outcome: Nullable<string>;
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

export interface ConnectionsTable {
  id: string;
  bot_id: string;
  cart: string;
  name: string;
  credentials_sealed: string;
  base_url: Nullable<string>;
  status: ColumnType<string, string | undefined, string>;
  last_error: Nullable<string>;
  last_error_kind: Nullable<string>;
  last_success_at: NullableTimestamp;
  birthday_sync: Flag;
  /** The store's identity when the cart's credentials name it (e.g. shopify:shop.myshopify.com). */
  store_key: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  disconnected_at: NullableTimestamp;
}

export interface SyncCursorsTable {
  connection_id: string;
  resource: string;
  cursor: string | null;
  updated_at: Timestamp;
}

export interface SyncRunsTable {
  id: string;
  connection_id: string;
  resource: string;
  state: string;
  imported: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  skipped_sample: ColumnType<unknown, string | null | undefined, string | null>;
  error: Nullable<string>;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface CartCustomersTable {
  connection_id: string;
  external_id: string;
  bot_id: string;
  number: Nullable<string>;
  email: Nullable<string>;
  mobile_email: Nullable<string>;
  email_verified: Nullable<boolean>;
  email_key: Nullable<string>;
  phones: ColumnType<string[], string[] | undefined, string[]>;
  phone_keys: ColumnType<string[], string[] | undefined, string[]>;
  line_user_id: Nullable<string>;
  name: Nullable<string>;
  name_kana: Nullable<string>;
  birthday: Nullable<string>;
  custom_data: ColumnType<unknown, string | null | undefined, string | null>;
  created_at_cart: NullableTimestamp;
  updated_at_cart: Timestamp;
  imported_at: Timestamp;
}

export interface CartOrdersTable {
  connection_id: string;
  external_id: string;
  bot_id: string;
  customer_external_id: Nullable<string>;
  number: Nullable<string>;
  ordered_at: Timestamp;
  total_amount: ColumnType<string, number | string, number | string>;
  currency: string;
  status: Nullable<string>;
  cancelled: Flag;
  items: Json;
  shipped_at: NullableTimestamp;
  requested_delivery_date: Nullable<string>;
  carrier: Nullable<string>;
  tracking_number: Nullable<string>;
  subscription_external_id: Nullable<string>;
  subscription_sequence: Nullable<number>;
  orderer_phone_keys: ColumnType<string[], string[] | undefined, string[]>;
  orderer_email_key: Nullable<string>;
  updated_at_cart: Timestamp;
  imported_at: Timestamp;
}

export interface CartSubscriptionsTable {
  connection_id: string;
  external_id: string;
  bot_id: string;
  customer_external_id: Nullable<string>;
  raw_status: string;
  status: string;
  course_code: Nullable<string>;
  next_delivery_at: NullableTimestamp;
  deliveries: Nullable<number>;
  updated_at_cart: Timestamp;
}

export interface LinksTable {
  bot_id: string;
  friend_id: string;
  connection_id: string;
  customer_external_id: string;
  rule: string;
  suppressed: Flag;
  created_at: Timestamp;
}

export interface CartWebhookDeliveriesTable {
  connection_id: string;
  delivery_id: string;
  topic: string | null;
  received_at: Timestamp;
}

/** Derived from the friend's linked orders (F4.2); refreshed set-based by db/purchase-stats.ts. */
export interface FriendPurchaseStatsTable {
  friend_id: string;
  bot_id: string;
  order_count: number;
  total_amount: ColumnType<string, number | string, number | string>;
  average_amount: ColumnType<string | null, number | string | null, number | string | null>;
  first_ordered_at: NullableTimestamp;
  last_ordered_at: NullableTimestamp;
  product_codes: ColumnType<string[], string[] | undefined, string[]>;
  course_codes: ColumnType<string[], string[] | undefined, string[]>;
  refreshed_at: Timestamp;
}

export interface CartProductsTable {
  connection_id: string;
  external_id: string;
  bot_id: string;
  code: string;
  name: string;
  variant_name: Nullable<string>;
  course_code: Nullable<string>;
  price: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  url: Nullable<string>;
  image_url: Nullable<string>;
  updated_at_cart: NullableTimestamp;
  imported_at: Timestamp;
}

export interface NoticesTable {
  id: string;
  bot_id: string;
  kind: string;
  subject: string;
  message: string;
  occurrences: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: NullableTimestamp;
  resolved_by: Nullable<string>;
}

export interface TagsTable {
  id: string;
  bot_id: string;
  name: string;
  created_at: Timestamp;
}

export interface FriendTagsTable {
  friend_id: string;
  tag_id: string;
  bot_id: string;
  /** staff | form | rule | message | link */
  source: string;
  added_at: Timestamp;
}

/** Every real addition of a tag, and every re-add by a form re-submit (F2.2). */
export interface TagEventsTable {
  id: ColumnType<string, never, never>;
  bot_id: string;
  friend_id: string;
  tag_id: string;
  action: string;
  source: string;
  source_ref: Nullable<string>;
  readded: Flag;
  at: Timestamp;
}

export interface FormsTable {
  bot_id: string;
  key: string;
  definition: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FormSubmissionsTable {
  bot_id: string;
  submission_id: string;
  form_key: string;
  friend_id: string;
  values: Json;
  outcome: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface AccountLinkNoncesTable {
  nonce: string;
  bot_id: string;
  connection_id: string;
  customer_external_id: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
  friend_id: Nullable<string>;
}

/** A rich-menu definition as applied to LINE (F7.1): written once its image is uploaded. */
export interface RichMenusTable {
  bot_id: string;
  name: string;
  rich_menu_id: string;
  hash: string;
  alias: Nullable<string>;
  is_default: Flag;
  applied_at: Timestamp;
}

/** Per-friend menus (F7.2): the first rule whose filter selects a friend gives their menu. */
export interface RichMenuRulesTable {
  id: string;
  bot_id: string;
  position: number;
  menu: string;
  filter: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The menu Kizuna last linked to a friend; null when it unlinked them (the default shows). */
export interface FriendRichMenusTable {
  friend_id: string;
  bot_id: string;
  rich_menu_id: string | null;
  /** 'rule' (a reassign pass) | 'switch' (a direct switch: kept until the friend changes). */
  source: ColumnType<string, string | undefined, string>;
  linked_at: Timestamp;
}

/** An auto-tag rule (F5.3): when the filter matches, add or remove the tag. */
export interface RulesTable {
  id: string;
  bot_id: string;
  name: string;
  /** schedule | birth_month */
  trigger: string;
  filter: Json;
  /** add | remove */
  action: string;
  tag_id: string;
  enabled: Flag;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One pass of one rule: what it changed and how long it took. */
export interface RuleRunsTable {
  id: ColumnType<string, never, never>;
  rule_id: string;
  bot_id: string;
  /** schedule | birth_month | link | form | manual */
  cause: string;
  scoped_to: Nullable<number>;
  added: number;
  removed: number;
  duration_ms: number;
  started_at: Date | string;
}

/** The last reassign pass of a bot's per-friend menus, and how far it has seen changes. */
export interface RichMenuPassesTable {
  bot_id: string;
  watermark: ColumnType<Date, Date | string, Date | string>;
  full_pass_at: NullableTimestamp;
  ran_at: Timestamp;
  linked: ColumnType<number, number | undefined, number>;
  unlinked: ColumnType<number, number | undefined, number>;
  calls: ColumnType<number, number | undefined, number>;
  duration_ms: ColumnType<number, number | undefined, number>;
  error: Nullable<string>;
}
