// Plays LINE's side of a webhook: `{ destination, events }` signed with the channel secret,
// `x-line-signature` = base64(HMAC-SHA256(channelSecret, raw body)).
import { createHmac } from 'node:crypto';
import type { WebhookEvent } from './types.ts';
import type { World } from './world.ts';

export function signWebhook(channelSecret: string, rawBody: string): string {
  return createHmac('sha256', channelSecret).update(rawBody).digest('base64');
}

export interface SendWebhookOptions {
  /** Mark every event `deliveryContext.isRedelivery: true`, as LINE's redelivery does. */
  redelivery?: boolean;
  /** Send this signature instead of the right one (bad-signature tests). */
  signature?: string;
  /** Leave the x-line-signature header out. */
  unsigned?: boolean;
  timeoutMs?: number;
}

export interface SentWebhook {
  url: string;
  channelId: string;
  rawBody: string;
  status?: number;
  at: number;
}

export function createWebhookSender(world: World, now: () => number, sent: SentWebhook[]) {
  // What the user did happens whether or not the bot's server accepts the webhook.
  const apply = (channelId: string, events: WebhookEvent[]) => {
    for (const e of events) {
      const userId = e.source?.type === 'user' ? e.source.userId : undefined;
      if (!userId) continue;
      if (e.type === 'follow') world.users.follow(userId, channelId);
      if (e.type === 'unfollow') world.users.block(userId, channelId);
      const token = 'replyToken' in e ? e.replyToken : undefined;
      const t = token ? world.replyTokens.get(token) : undefined;
      // A reply token lives from the moment the bot receives it, on the channel it went to.
      if (t) Object.assign(t, { channelId, issuedAt: now() });
    }
  };

  /** A string is sent verbatim (malformed-JSON tests); events are wrapped and signed. */
  return async function sendWebhook(
    targetUrl: string,
    channelId: string,
    events: WebhookEvent[] | string,
    opts: SendWebhookOptions = {},
  ): Promise<Response> {
    const channel = world.channel(channelId);
    let rawBody: string;
    if (typeof events === 'string') {
      rawBody = events;
    } else {
      const list = opts.redelivery
        ? events.map((e) => ({ ...e, deliveryContext: { isRedelivery: true } }))
        : events;
      apply(channelId, list);
      rawBody = JSON.stringify({ destination: channel.botUserId, events: list });
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (!opts.unsigned)
      headers['x-line-signature'] = opts.signature ?? signWebhook(channel.channelSecret, rawBody);
    const record: SentWebhook = { url: targetUrl, channelId, rawBody, at: now() };
    sent.push(record);
    const res = await fetch(targetUrl, {
      method: 'POST',
      headers,
      body: rawBody,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    record.status = res.status;
    return res;
  };
}
