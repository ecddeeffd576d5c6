// Public types of the fake LINE platform (test/fakes/line.ts).
import type { webhook } from '@line/bot-sdk';

export type WebhookEvent = webhook.Event;

export interface FakeChannel {
  channelId: string;
  channelSecret: string;
  accessToken: string;
  /** 'U' + 32 lower-case hex: the `destination` of this channel's webhooks. */
  botUserId: string;
  displayName?: string;
  basicId?: string;
}

/** Requests allowed per window; a bare number means per second. */
export type RateLimit = number | { requests: number; perMs: number };

/** The operations the fake serves, named by their `operationId` in messaging-api.yml. */
export type EndpointClass =
  | 'replyMessage'
  | 'pushMessage'
  | 'multicast'
  | 'narrowcast'
  | 'getNarrowcastProgress'
  | 'broadcast'
  | 'getMessageQuota'
  | 'getMessageQuotaConsumption'
  | 'getProfile'
  | 'getFollowers'
  | 'getBotInfo'
  | 'getMessageContent'
  | 'linkRichMenuIdToUser'
  | 'unlinkRichMenuIdFromUser'
  | 'getRichMenuIdOfUser'
  | 'linkRichMenuIdToUsers'
  | 'unlinkRichMenuIdFromUsers'
  | 'createRichMenu'
  | 'validateRichMenuObject'
  | 'getRichMenu'
  | 'deleteRichMenu'
  | 'getRichMenuList'
  | 'setRichMenuImage'
  | 'getRichMenuImage'
  | 'setDefaultRichMenu'
  | 'getDefaultRichMenuId'
  | 'cancelDefaultRichMenu'
  | 'createRichMenuAlias'
  | 'getRichMenuAlias'
  | 'updateRichMenuAlias'
  | 'deleteRichMenuAlias'
  | 'getRichMenuAliasList'
  | 'issueLinkToken';

export interface FakeLineOptions {
  channels: FakeChannel[];
  rateLimits?: Partial<Record<EndpointClass, RateLimit>>;
  /** Clock in epoch ms; retry keys (24 h), reply tokens, rate windows and quotas follow it. */
  now?: () => number;
  /**
   * Tests that send spec-violating requests on purpose say so here. For every other fake, a request
   * the official spec rejects fails the test that sent it (see test/setup/spec-guard.ts).
   */
  expectSpecViolations?: boolean;
}

export interface UserProfile {
  userId: string;
  displayName: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
}

export type RejectReason =
  | 'spec' // the official spec or documented limits refuse it: a bug in the caller
  | 'auth'
  | 'rateLimit'
  | 'quota'
  | 'retryKeyAccepted'
  | 'invalidReplyToken'
  | 'notFound'
  | 'invalidParameter'
  | 'notImplemented'
  | 'fault';

export interface RecordedRequest {
  requestId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: EndpointClass;
  channelId?: string;
  /** Parsed JSON when the body was JSON, the raw text when it was not, undefined when empty. */
  body: unknown;
  retryKey?: string;
  status: number;
  at: number;
}

export type AcceptedRequest = RecordedRequest & { operationId: EndpointClass; channelId: string };

export type RejectedRequest = RecordedRequest & { reason: RejectReason; response: unknown };

export interface Fault {
  /** Exact path or pattern; omitted = any request. */
  path?: string | RegExp;
  method?: string;
  status?: 500 | 429 | 400 | 401 | 403 | 503;
  /** Hang this long before answering (wall clock); Infinity = never answer. */
  timeoutMs?: number;
  /** How many matching requests this fault takes (default 1). */
  times?: number;
  body?: unknown;
  /**
   * Process the request for real before failing, as when LINE accepted a push but the answer
   * was lost: the delivery is recorded and its retry key remembered, so a retry gets 409.
   */
  accept?: boolean;
}

export type DeliveryKind = 'reply' | 'push' | 'multicast' | 'narrowcast' | 'broadcast';

export interface Delivery {
  channelId: string;
  kind: DeliveryKind;
  requestId: string;
  /** Recipients as requested. */
  to: string[];
  /** Recipients that actually got it: friends of the channel (not blocked, known). */
  deliveredTo: string[];
  messages: unknown[];
  sentMessageIds: string[];
  retryKey?: string;
  at: number;
}
