/**
 * The LINE calls Kizuna makes, as one small interface we own. The real client (line-client.ts)
 * and test doubles both satisfy it; nothing else in Kizuna talks to LINE.
 */
export interface LineProfile {
  userId: string;
  displayName: string;
  pictureUrl?: string | undefined;
  statusMessage?: string | undefined;
  language?: string | undefined;
}

/** A LINE message object as the Messaging API takes it (validated before it is sent). */
export type LineMessage = { type: string } & Record<string, unknown>;

export interface SendResult {
  /** `x-line-request-id` of the accepted request (or of the original one, on a 409 repeat). */
  requestId: string | undefined;
  /** True when LINE had already accepted this retry key (409): counts as sent. */
  duplicate: boolean;
}

export interface FollowerPage {
  userIds: string[];
  next: string | undefined;
}

/** A rich menu as LINE stores it (create body + its id); actions stay loose, checked before sending. */
export interface LineRichMenu {
  richMenuId: string;
  size: { width: number; height: number };
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: Array<{
    bounds: { x: number; y: number; width: number; height: number };
    action: { type: string } & Record<string, unknown>;
  }>;
}

export type LineRichMenuRequest = Omit<LineRichMenu, 'richMenuId'>;

/** Rich-menu management (F7.1): menus, images on the data host, aliases and the default menu. */
export interface RichMenuPort {
  createRichMenu(menu: LineRichMenuRequest): Promise<string>;
  /** Raw JPEG or PNG bytes; LINE checks the pixel size against the menu's `size`. */
  setRichMenuImage(
    richMenuId: string,
    image: Uint8Array,
    contentType: 'image/png' | 'image/jpeg',
  ): Promise<void>;
  deleteRichMenu(richMenuId: string): Promise<void>;
  listRichMenus(): Promise<LineRichMenu[]>;
  /** Undefined when the channel has no default menu set through the API. */
  getDefaultRichMenuId(): Promise<string | undefined>;
  setDefaultRichMenu(richMenuId: string): Promise<void>;
  cancelDefaultRichMenu(): Promise<void>;
  listRichMenuAliases(): Promise<Array<{ richMenuAliasId: string; richMenuId: string }>>;
  createRichMenuAlias(richMenuAliasId: string, richMenuId: string): Promise<void>;
  updateRichMenuAlias(richMenuAliasId: string, richMenuId: string): Promise<void>;
  deleteRichMenuAlias(richMenuAliasId: string): Promise<void>;
  /** 1–500 users per call; LINE answers 202 and links asynchronously. */
  bulkUnlinkRichMenus(userIds: string[]): Promise<void>;
}

export interface LinePort extends RichMenuPort {
  reply(replyToken: string, messages: LineMessage[]): Promise<void>;
  /** Push to one user; `retryKey` (a UUID) must be stored by the caller before the first attempt. */
  push(to: string, messages: LineMessage[], retryKey: string): Promise<SendResult>;
  multicast(to: string[], messages: LineMessage[], retryKey: string): Promise<SendResult>;
  /** Resolves to undefined when LINE has no profile for the user (not a friend, or blocked). */
  getProfile(userId: string): Promise<LineProfile | undefined>;
  /** One page of follower ids; throws LineApiError 403 when the account may not list followers. */
  getFollowerIds(start?: string, limit?: number): Promise<FollowerPage>;
  getMessageContent(
    messageId: string,
  ): Promise<{ body: ReadableStream<Uint8Array>; contentType: string }>;
  linkRichMenu(userId: string, richMenuId: string): Promise<void>;
  unlinkRichMenu(userId: string): Promise<void>;
  bulkLinkRichMenu(richMenuId: string, userIds: string[]): Promise<void>;
  getQuota(): Promise<{ type: 'none' | 'limited'; value?: number }>;
  /** A LINE Account Link token for the user (F2.8): valid 10 minutes, usable once. */
  issueLinkToken(userId: string): Promise<string>;
  getConsumption(): Promise<{ totalUsage: number }>;
}

/** How a failed LINE call should be treated; decided once, from LINE's status and message. */
export type LineErrorKind =
  | 'retryable' // 5xx, network error, timeout: retry (with the same retry key)
  | 'rate_limited' // 429 other than the monthly limit: back off, then retry
  | 'monthly_limit' // 429 "You have reached your monthly limit.": stop sending for this bot
  | 'unauthorized' // 401: the channel access token is wrong or revoked
  | 'permanent'; // any other 4xx: LINE will never accept this request

export class LineApiError extends Error {
  constructor(
    readonly kind: LineErrorKind,
    readonly status: number | undefined,
    message: string,
    readonly details: Array<{ message?: string; property?: string }> = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'LineApiError';
  }
}
