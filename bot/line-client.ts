import type { messagingApi } from '@line/bot-sdk';
import { errorFromFailure, errorFromResponse } from './line-errors.ts';
import {
  LineApiError,
  type FollowerPage,
  type LineErrorKind,
  type LineMessage,
  type LinePort,
  type LineProfile,
  type SendResult,
} from './line-port.ts';
import { richMenuCalls } from './line-client-rich-menus.ts';
import { createThrottle, type Throttle } from './throttle.ts';

/**
 * The real LinePort: LINE's Messaging API over fetch, so the same code runs on Node and Workers.
 *
 * Bodies and answers are typed with @line/bot-sdk's models, but requests do not go through its
 * MessagingApiClient: its HTTP layer (http-fetch.js in v11) calls the global fetch without an
 * AbortSignal, so a request LINE never answers could not be aborted, and no fetch can be injected.
 * The calls below (rich menus in line-client-rich-menus.ts) are plain enough to make directly.
 */
export interface LineClientOptions {
  channelAccessToken: string;
  /** https://api.line.me unless given (the fake LINE in tests and the demo). */
  baseURL?: string;
  /** https://api-data.line.me unless given: message content lives on the data host. */
  dataBaseURL?: string;
  /** Abort a request LINE has not answered after this long (default 10 s): it is then 'retryable'. */
  timeoutMs?: number;
  /**
   * Waited on before each request, with the endpoint's operationId. LINE limits each channel, so
   * one client per channel gets its own throttle at LINE's published limits unless given one.
   */
  throttle?: Throttle;
  fetch?: typeof fetch;
  /** Told how each request ended (metrics), with the endpoint's operationId. */
  onAnswer?: (op: string, outcome: LineCallOutcome) => void;
}

/**
 * How a request ended: answered 2xx; `handled`, a status its caller deals with itself (409 for a
 * repeated retry key, which counts as sent; 404 for a user with no profile); else the error kind.
 */
export type LineCallOutcome = 'ok' | 'handled' | LineErrorKind;

const REQUEST_ID = 'x-line-request-id';
// LINE's answer to a repeated retry key names the request that was accepted first [U].
const ACCEPTED_REQUEST_ID = 'x-line-accepted-request-id';

export interface Answer {
  res: Response;
  requestId: string | undefined;
  /** The body as text; empty when streamed. */
  text: string;
}

export interface Call {
  /** messaging-api.yml operationId: the throttle's endpoint class. */
  op: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  host?: 'api' | 'data';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A binary body (rich-menu images), sent as is with its own content type. */
  raw?: { data: Uint8Array; contentType: string };
  retryKey?: string;
  /** Statuses the caller handles itself instead of getting a LineApiError. */
  accept?: number[];
  /** Return once the headers are in; the caller reads (streams) the body. */
  stream?: boolean;
}

export function createLineClient(options: LineClientOptions): LinePort {
  const apiBase = options.baseURL ?? 'https://api.line.me';
  const dataBase = options.dataBaseURL ?? 'https://api-data.line.me';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const auth = `Bearer ${options.channelAccessToken}`;
  const throttle = options.throttle ?? createThrottle();

  /** Makes one request; resolves with LINE's answer (body read unless streamed) or throws LineApiError. */
  async function call(c: Call): Promise<Answer> {
    await throttle.acquire(c.op);
    const url = new URL(c.path, c.host === 'data' ? dataBase : apiBase);
    for (const [k, v] of Object.entries(c.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { authorization: auth };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    if (c.raw) headers['content-type'] = c.raw.contentType;
    if (c.retryKey) headers['x-line-retry-key'] = c.retryKey;

    // The timer covers the answer and reading its body, except for streamed content, whose
    // reader decides how long it takes.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(url, {
        method: c.method,
        headers,
        body: c.raw
          ? new Uint8Array(c.raw.data)
          : c.body === undefined
            ? null
            : JSON.stringify(c.body),
        signal: controller.signal,
      });
      const requestId = res.headers.get(REQUEST_ID) ?? undefined;
      if (!res.ok && !c.accept?.includes(res.status)) {
        throw errorFromResponse(res.status, await res.text(), requestId);
      }
      const answer = { res, requestId, text: c.stream ? '' : await res.text() };
      options.onAnswer?.(c.op, res.ok ? 'ok' : 'handled');
      return answer;
    } catch (error) {
      const failure =
        error instanceof LineApiError
          ? error
          : errorFromFailure(error, timedOut ? timeoutMs : undefined);
      options.onAnswer?.(c.op, failure.kind);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  async function json<T>(c: Call): Promise<T> {
    const { text } = await call(c);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async function send(
    op: string,
    path: string,
    body: object,
    retryKey: string,
  ): Promise<SendResult> {
    const a = await call({ op, method: 'POST', path, body, retryKey, accept: [409] });
    if (a.res.status === 409) {
      // LINE already accepted this retry key: an earlier attempt went through.
      return { requestId: a.res.headers.get(ACCEPTED_REQUEST_ID) ?? a.requestId, duplicate: true };
    }
    return { requestId: a.requestId, duplicate: false };
  }

  return {
    ...richMenuCalls(call, json),

    async reply(replyToken, messages) {
      const body = {
        replyToken,
        messages: asMessages(messages),
      } satisfies messagingApi.ReplyMessageRequest;
      await call({ op: 'replyMessage', method: 'POST', path: '/v2/bot/message/reply', body });
    },

    push(to, messages, retryKey) {
      const body = { to, messages: asMessages(messages) } satisfies messagingApi.PushMessageRequest;
      return send('pushMessage', '/v2/bot/message/push', body, retryKey);
    },

    multicast(to, messages, retryKey) {
      const body = { to, messages: asMessages(messages) } satisfies messagingApi.MulticastRequest;
      return send('multicast', '/v2/bot/message/multicast', body, retryKey);
    },

    async getProfile(userId) {
      const a = await call({
        op: 'getProfile',
        method: 'GET',
        path: `/v2/bot/profile/${encodeURIComponent(userId)}`,
        accept: [404],
      });
      // Not a friend (never was, or unfollowed) or blocked: LINE has no profile to give.
      if (a.res.status === 404) return undefined;
      const p = JSON.parse(a.text) as messagingApi.UserProfileResponse;
      const profile: LineProfile = { userId: p.userId, displayName: p.displayName };
      if (p.pictureUrl !== undefined) profile.pictureUrl = p.pictureUrl;
      if (p.statusMessage !== undefined) profile.statusMessage = p.statusMessage;
      if (p.language !== undefined) profile.language = p.language;
      return profile;
    },

    async getFollowerIds(start, limit): Promise<FollowerPage> {
      const page = await json<messagingApi.GetFollowersResponse>({
        op: 'getFollowers',
        method: 'GET',
        path: '/v2/bot/followers/ids',
        query: { start, limit },
      });
      return { userIds: page.userIds, next: page.next };
    },

    async getMessageContent(messageId) {
      const { res } = await call({
        op: 'getMessageContent',
        method: 'GET',
        host: 'data',
        path: `/v2/bot/message/${encodeURIComponent(messageId)}/content`,
        stream: true,
      });
      if (!res.body) throw errorFromResponse(res.status, '{"message":"empty content"}', undefined);
      const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
      return { body: res.body, contentType };
    },

    async linkRichMenu(userId, richMenuId) {
      const path = `/v2/bot/user/${encodeURIComponent(userId)}/richmenu/${encodeURIComponent(richMenuId)}`;
      await call({ op: 'linkRichMenuIdToUser', method: 'POST', path });
    },

    async unlinkRichMenu(userId) {
      const path = `/v2/bot/user/${encodeURIComponent(userId)}/richmenu`;
      await call({ op: 'unlinkRichMenuIdFromUser', method: 'DELETE', path });
    },

    async bulkLinkRichMenu(richMenuId, userIds) {
      const body = { richMenuId, userIds } satisfies messagingApi.RichMenuBulkLinkRequest;
      await call({
        op: 'linkRichMenuIdToUsers',
        method: 'POST',
        path: '/v2/bot/richmenu/bulk/link',
        body,
      });
    },

    async getQuota() {
      const q = await json<messagingApi.MessageQuotaResponse>({
        op: 'getMessageQuota',
        method: 'GET',
        path: '/v2/bot/message/quota',
      });
      return q.value === undefined ? { type: q.type } : { type: q.type, value: q.value };
    },

    async issueLinkToken(userId) {
      const answer = await json<messagingApi.IssueLinkTokenResponse>({
        op: 'issueLinkToken',
        method: 'POST',
        path: `/v2/bot/user/${encodeURIComponent(userId)}/linkToken`,
      });
      return answer.linkToken;
    },

    async getConsumption() {
      const c = await json<messagingApi.QuotaConsumptionResponse>({
        op: 'getMessageQuotaConsumption',
        method: 'GET',
        path: '/v2/bot/message/quota/consumption',
      });
      return { totalUsage: c.totalUsage };
    },
  };
}

// LinePort carries messages as loose objects (validated before they get here); the SDK's union
// of message types is what LINE's schema says, so the cast is at this one boundary.
const asMessages = (messages: LineMessage[]) => messages as unknown as messagingApi.Message[];
