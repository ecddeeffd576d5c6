import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { validateSignature, type webhook } from '@line/bot-sdk';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signWebhook, validateCallbackRequest, validateWebhookEvent } from './line.ts';
import { startFake, text, type Harness } from './line/harness.ts';
import { ULID } from './line/ids.ts';

// Stands in for Kizuna's webhook route: keeps the raw bytes and headers it was sent.
interface Received {
  raw: string;
  headers: Headers;
}
let h: Harness;
let received: Received[];
let receiver: { url: string; close(): Promise<void> };

beforeEach(async () => {
  h = await startFake();
  received = [];
  const app = new Hono().post('/webhooks/line', async (c) => {
    received.push({ raw: await c.req.text(), headers: c.req.raw.headers });
    return c.text('ok');
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(s as Server),
    );
  });
  const port = (server.address() as { port: number }).port;
  receiver = {
    url: `http://127.0.0.1:${port}/webhooks/line`,
    close: () => new Promise((r) => server.close(() => r())),
  };
});
afterEach(async () => {
  await receiver.close();
  await h.close();
});

function allBuilders(userId: string): Array<[string, webhook.Event]> {
  const e = h.line.events;
  return [
    ['follow', e.follow(userId)],
    ['unfollow', e.unfollow(userId)],
    ['message.text', e.message.text(userId, 'こんにちは')],
    ['message.image', e.message.image(userId)],
    ['message.video', e.message.video(userId)],
    ['message.audio', e.message.audio(userId)],
    ['message.file', e.message.file(userId)],
    ['message.location', e.message.location(userId)],
    ['message.sticker', e.message.sticker(userId)],
    ['postback', e.postback(userId, 'action=buy&item=1')],
    [
      'postback with params',
      e.postback(userId, 'richmenu-changed', { newRichMenuAliasId: 'tab-b', status: 'SUCCESS' }),
    ],
    ['accountLink ok', e.accountLink(userId, 'nonce-1234567890', 'ok')],
    ['accountLink failed', e.accountLink(userId, 'nonce-1234567890', 'failed')],
    ['unsend', e.unsend(userId, '500000000000000001')],
  ];
}

describe('event builders', () => {
  it('every builder’s output validates against its subtype in webhook.yml', () => {
    const userId = h.line.addUser().userId;
    for (const [name, event] of allBuilders(userId)) {
      expect({ name, errors: validateWebhookEvent(event) }).toEqual({ name, errors: [] });
      expect(event.webhookEventId).toMatch(ULID);
      expect(event).toMatchObject({
        mode: 'active',
        deliveryContext: { isRedelivery: false },
        source: { type: 'user', userId },
      });
    }
  });

  it('the validator catches subtype errors a base-schema check would miss', () => {
    const userId = h.line.addUser().userId;
    const follow = h.line.events.follow(userId);
    const { follow: _f, ...noFollow } = follow;
    expect(validateWebhookEvent(noFollow)).toContain('follow: must be specified');
    const msg = h.line.events.message.text(userId, 'x');
    const { quoteToken: _q, ...noQuote } = msg.message as webhook.TextMessageContent;
    expect(validateWebhookEvent({ ...msg, message: noQuote })).toContain(
      'message.quoteToken: must be specified',
    );
    const link = h.line.events.accountLink(userId, 'n', 'ok');
    expect(validateWebhookEvent({ ...link, link: { result: 'maybe', nonce: 'n' } })[0]).toMatch(
      /^link\.result: Must be one of/,
    );
    expect(validateWebhookEvent({ ...follow, type: 'greatNewEvent' })[0]).toMatch(
      /^type: Must be one of/,
    );
    expect(validateCallbackRequest({ destination: 'U123', events: [] })[0]).toMatch(/^destination/);
  });

  it('gives reply tokens where LINE does and none where it does not', () => {
    const userId = h.line.addUser().userId;
    const withToken = allBuilders(userId)
      .filter(([, e]) => 'replyToken' in e)
      .map(([n]) => n);
    expect(withToken).not.toContain('unfollow');
    expect(withToken).not.toContain('accountLink failed');
    expect(withToken).not.toContain('unsend');
    expect(withToken).toContain('accountLink ok');
  });

  it('timestamps follow the clock and the ULID encodes them', () => {
    const e = h.line.events.message.text(h.line.addUser().userId, 'x');
    expect(e.timestamp).toBe(h.clock.t);
    const later = h.line.events.message.text(h.line.addUser().userId, 'y', {
      timestamp: h.clock.t + 5,
    });
    expect(later.webhookEventId.slice(0, 10) > e.webhookEventId.slice(0, 10)).toBe(true);
  });
});

describe('sendWebhook', () => {
  it('posts { destination, events } with a signature Kizuna can verify', async () => {
    const [channel] = h.channels;
    const user = h.line.addUser();
    const event = h.line.events.message.text(user.userId, '注文状況を教えて');
    const res = await h.line.sendWebhook(receiver.url, channel!.channelId, [event]);
    expect(res.status).toBe(200);
    const [got] = received;
    expect(got!.headers.get('content-type')).toMatch(/^application\/json/);
    const signature = got!.headers.get('x-line-signature')!;
    expect(signature).toBe(
      createHmac('sha256', channel!.channelSecret).update(got!.raw).digest('base64'),
    );
    expect(validateSignature(got!.raw, channel!.channelSecret, signature)).toBe(true);
    expect(validateSignature(got!.raw, h.channels[1]!.channelSecret, signature)).toBe(false);
    const body = JSON.parse(got!.raw) as webhook.CallbackRequest;
    expect(body).toEqual({ destination: channel!.botUserId, events: [event] });
    expect(validateCallbackRequest(body)).toEqual([]);
    expect(h.line.webhooksSent[0]).toMatchObject({ channelId: channel!.channelId, status: 200 });
  });

  it('matches the SDK’s known-answer signature vector', () => {
    expect(signWebhook('test_secret', '{"hello":"world"}')).toBe(
      't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=',
    );
  });

  it('can send a wrong signature, no signature, or raw text', async () => {
    const id = h.channels[0]!.channelId;
    await h.line.sendWebhook(receiver.url, id, [], { signature: 'AAAA' });
    await h.line.sendWebhook(receiver.url, id, [], { unsigned: true });
    await h.line.sendWebhook(receiver.url, id, '{"destination":');
    expect(received[0]!.headers.get('x-line-signature')).toBe('AAAA');
    expect(received[1]!.headers.has('x-line-signature')).toBe(false);
    expect(received[2]!.raw).toBe('{"destination":');
    expect(received[2]!.headers.get('x-line-signature')).toBe(
      signWebhook(h.channels[0]!.channelSecret, '{"destination":'),
    );
  });

  it('redelivery marks events and keeps their webhookEventId', async () => {
    const event = h.line.events.postback(h.line.addUser().userId, 'a=1');
    await h.line.sendWebhook(receiver.url, h.channels[0]!.channelId, [event], { redelivery: true });
    const [sent] = (JSON.parse(received[0]!.raw) as webhook.CallbackRequest).events;
    expect(sent).toMatchObject({
      webhookEventId: event.webhookEventId,
      deliveryContext: { isRedelivery: true },
    });
    expect(validateWebhookEvent(sent)).toEqual([]);
  });

  it('follow and unfollow change friendship; a re-follow is an unblock', async () => {
    const id = h.channels[0]!.channelId;
    const userId = 'U' + 'a'.repeat(32); // a stranger: not yet a friend of any channel
    const first = h.line.events.follow(userId);
    expect(first.follow.isUnblocked).toBe(false);
    await h.line.sendWebhook(receiver.url, id, [first]);
    expect(h.line.users.friends(id)).toEqual([userId]);
    await h.line.sendWebhook(receiver.url, id, [h.line.events.unfollow(userId)]);
    expect(h.line.users.friends(id)).toEqual([]);
    const again = h.line.events.follow(userId);
    expect(again.follow.isUnblocked).toBe(true);
    await h.line.sendWebhook(receiver.url, id, [again]);
    expect(h.line.users.isFriend(userId, id)).toBe(true);
    expect(h.line.users.isFriend(userId, h.channels[1]!.channelId)).toBe(false);
  });

  it('a reply token works only on the channel its webhook went to', async () => {
    const userId = h.line.addUser().userId;
    const event = h.line.events.message.text(userId, 'x');
    await h.line.sendWebhook(receiver.url, h.channels[0]!.channelId, [event]);
    const body = { replyToken: event.replyToken, messages: [text()] };
    const other = await h.call('POST', '/v2/bot/message/reply', {
      body,
      token: h.channels[1]!.accessToken,
    });
    expect(other.status).toBe(400);
    const own = await h.call('POST', '/v2/bot/message/reply', { body });
    expect(own.status).toBe(200);
  });
});
