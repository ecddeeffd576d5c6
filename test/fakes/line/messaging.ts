// Messaging endpoints: sending, quota, profiles, followers, bot info and message content.
// Requests reach these handlers already authenticated and schema-checked (pipeline.ts).
import { errors } from './errors.ts';
import { newMessageId, newQuoteToken, RECIPIENT_ID, USER_ID } from './ids.ts';
import type { Answer, Call, Route } from './pipeline.ts';
import type { Delivery, DeliveryKind } from './types.ts';
import type { World } from './world.ts';

type Msg = { type: string };
const REPLY_TOKEN_TTL = 60_000; // "must be used within one minute after receiving the webhook"
const TOKEN_TTL = 24 * 3600 * 1000; // follower-ids continuation tokens
// Only these can be quoted, so only they come back with a quoteToken.
const QUOTABLE = new Set(['text', 'textV2', 'sticker']);

export function messagingRoutes(world: World, now: () => number): Route[] {
  const narrowcasts = new Map<string, { accepted: number; target: number }>();

  function deliver(
    call: Call,
    kind: DeliveryKind,
    to: string[],
    countsQuota: boolean,
  ): Answer | Delivery {
    const channelId = call.channel.channelId;
    const messages = (call.body as { messages: Msg[] }).messages;
    // Groups and rooms are not modelled: they count as reached.
    const deliveredTo = to.filter(
      (id) => !id.startsWith('U') || world.users.isFriend(id, channelId),
    );
    if (countsQuota && !world.consume(channelId, deliveredTo.length)) {
      return { status: 429, body: errors.monthlyLimit, reason: 'quota' };
    }
    const d: Delivery = {
      channelId,
      kind,
      requestId: call.requestId,
      to,
      deliveredTo,
      messages,
      sentMessageIds: messages.map(() => newMessageId()),
      ...(call.retryKey ? { retryKey: call.retryKey } : {}),
      at: now(),
    };
    world.deliveries.push(d);
    return d;
  }
  const isAnswer = (x: Answer | Delivery): x is Answer => 'status' in x;
  const sentMessages = (d: Delivery) =>
    d.sentMessageIds.map((id, i) =>
      QUOTABLE.has((d.messages[i] as Msg).type) ? { id, quoteToken: newQuoteToken() } : { id },
    );
  const bad = (property: string): Answer => ({
    status: 400,
    body: errors.invalidProperty(property),
    reason: 'invalidParameter',
  });
  const notFound: Answer = { status: 404, body: errors.notFound, reason: 'notFound' };

  return [
    {
      method: 'POST',
      path: '/v2/bot/message/reply',
      handle(call) {
        const { replyToken } = call.body as { replyToken: string };
        const t = world.replyTokens.get(replyToken);
        const valid =
          t &&
          !t.used &&
          (t.channelId ?? call.channel.channelId) === call.channel.channelId &&
          now() - t.issuedAt <= REPLY_TOKEN_TTL;
        if (!t || !valid)
          return { status: 400, body: errors.invalidReplyToken, reason: 'invalidReplyToken' };
        const d = deliver(call, 'reply', [t.userId], false);
        if (isAnswer(d)) return d;
        t.used = true;
        return { status: 200, body: { sentMessages: sentMessages(d) } };
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/message/push',
      handle(call) {
        const { to } = call.body as { to: string };
        if (!RECIPIENT_ID.test(to)) return bad('to');
        const d = deliver(call, 'push', [to], true);
        if (isAnswer(d)) return d;
        const sent = sentMessages(d);
        return { status: 200, body: { sentMessages: sent }, sentMessages: sent };
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/message/multicast',
      handle(call) {
        const { to } = call.body as { to: string[] };
        const i = to.findIndex((id) => !USER_ID.test(id));
        if (i >= 0) return bad(`to[${i}]`);
        const d = deliver(call, 'multicast', to, true);
        return isAnswer(d) ? d : { status: 200, body: {} };
      },
    },
    {
      method: 'POST',
      path: '/v2/bot/message/broadcast',
      handle(call) {
        const d = deliver(call, 'broadcast', world.users.friends(call.channel.channelId), true);
        return isAnswer(d) ? d : { status: 200, body: {} };
      },
    },
    {
      // Audience filters are not modelled: a narrowcast reaches every friend, up to limit.max.
      method: 'POST',
      path: '/v2/bot/message/narrowcast',
      handle(call) {
        const max = (call.body as { limit?: { max?: number } }).limit?.max;
        const friends = world.users.friends(call.channel.channelId);
        const d = deliver(call, 'narrowcast', max ? friends.slice(0, max) : friends, true);
        if (isAnswer(d)) return d;
        narrowcasts.set(call.requestId, { accepted: d.at, target: d.deliveredTo.length });
        return { status: 202, body: {} };
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/message/progress/narrowcast',
      handle(call) {
        const n = narrowcasts.get(call.query.requestId ?? '');
        if (!n) return notFound;
        const iso = new Date(n.accepted).toISOString();
        return {
          status: 200,
          body: {
            phase: 'succeeded',
            successCount: n.target,
            failureCount: 0,
            targetCount: n.target,
            acceptedTime: iso,
            completedTime: iso,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/message/quota',
      handle(call) {
        const value = world.quota(call.channel.channelId);
        return {
          status: 200,
          body: value === undefined ? { type: 'none' } : { type: 'limited', value },
        };
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/message/quota/consumption',
      handle: (call) => ({
        status: 200,
        body: { totalUsage: world.usage(call.channel.channelId) },
      }),
    },
    {
      method: 'GET',
      path: '/v2/bot/profile/{userId}',
      handle(call) {
        const userId = call.params.userId ?? '';
        if (!USER_ID.test(userId))
          return {
            status: 400,
            body: errors.invalidParameter('userId'),
            reason: 'invalidParameter',
          };
        const user = world.users.get(userId);
        if (!user || !world.users.isFriend(userId, call.channel.channelId)) return notFound;
        return { status: 200, body: user };
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/followers/ids',
      handle(call) {
        const channelId = call.channel.channelId;
        const limit = call.query.limit === undefined ? 300 : Number(call.query.limit);
        if (limit < 1)
          return {
            status: 400,
            body: errors.invalidParameter('limit'),
            reason: 'invalidParameter',
          };
        let offset = 0;
        if (call.query.start !== undefined) {
          const t = readToken(call.query.start);
          if (!t || t.c !== channelId || now() - t.t > TOKEN_TTL) {
            return { status: 400, body: errors.invalidStart, reason: 'invalidParameter' };
          }
          offset = t.o;
        }
        const all = world.users.friends(channelId);
        const userIds = all.slice(offset, offset + limit);
        const end = offset + userIds.length;
        const next = end < all.length ? makeToken({ c: channelId, o: end, t: now() }) : undefined;
        return { status: 200, body: next ? { userIds, next } : { userIds } };
      },
    },
    {
      method: 'GET',
      path: '/v2/bot/info',
      handle: ({ channel }) => ({
        status: 200,
        body: {
          userId: channel.botUserId,
          basicId: channel.basicId ?? `@${channel.channelId.slice(-3)}kizuna`,
          displayName: channel.displayName ?? 'Kizuna Demo Shop',
          chatMode: 'bot',
          markAsReadMode: 'auto',
        },
      }),
    },
    {
      method: 'GET',
      path: '/v2/bot/message/{messageId}/content',
      handle(call) {
        const content = world.contents.get(call.params.messageId ?? '');
        return content
          ? { status: 200, bytes: { data: content.bytes, contentType: content.contentType } }
          : notFound;
      },
    },
  ];
}

type StartToken = { c: string; o: number; t: number };
const makeToken = (t: StartToken) => Buffer.from(JSON.stringify(t)).toString('base64url');
function readToken(s: string): StartToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as Partial<StartToken>;
    return typeof t.c === 'string' && typeof t.o === 'number' && typeof t.t === 'number'
      ? (t as StartToken)
      : undefined;
  } catch {
    return undefined;
  }
}
