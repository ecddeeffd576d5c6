import { randomUUID } from 'node:crypto';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptSpecViolations } from './line/guard.ts';
import { startFake, text, type Harness } from './line/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startFake();
});
afterEach(async () => {
  await h.close();
});

const sdk = (token = h.channels[0]!.accessToken) =>
  new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: h.url });
const blob = () =>
  new messagingApi.MessagingApiBlobClient({
    channelAccessToken: h.channels[0]!.accessToken,
    baseURL: h.url,
  });

async function sdkError(p: Promise<unknown>): Promise<HTTPFetchError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HTTPFetchError);
  return e as HTTPFetchError;
}

describe('auth', () => {
  it('refuses a missing header and an unknown token with LINE’s two messages', async () => {
    const missing = await h.call('GET', '/v2/bot/info', { token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      message: expect.stringContaining('Authorization header required'),
    });
    const wrong = await h.call('GET', '/v2/bot/info', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/^Authentication failed/);
    expect(h.line.rejected.map((r) => r.reason)).toEqual(['auth', 'auth']);
    expect(h.line.accepted).toEqual([]);
  });

  it('tells channels apart by token', async () => {
    const info = await sdk(h.channels[1]!.accessToken).getBotInfo();
    expect(info.userId).toBe(h.channels[1]!.botUserId);
    expect(h.line.accepted[0]).toMatchObject({
      channelId: h.channels[1]!.channelId,
      operationId: 'getBotInfo',
    });
  });
});

describe('sending', () => {
  it('pushes through the real SDK and records the delivery', async () => {
    const user = h.line.addUser({ displayName: '佐藤' });
    const res = await sdk().pushMessageWithHttpInfo({
      to: user.userId,
      messages: [text('ご注文ありがとうございます')],
    });
    expect(res.body.sentMessages).toHaveLength(1);
    expect(res.body.sentMessages[0]!.id).toMatch(/^\d{18}$/);
    expect(res.httpResponse.headers.get('x-line-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.line.messagesTo(user.userId)).toEqual([text('ご注文ありがとうございます')]);
    expect(h.line.consumption(h.channels[0]!.channelId)).toBe(1);
    expect(h.line.specViolations).toEqual([]);
  });

  it('multicasts and counts only friends, not blocked users', async () => {
    const a = h.line.addUser();
    const b = h.line.addUser();
    h.line.users.block(b.userId);
    await sdk().multicast({ to: [a.userId, b.userId], messages: [text(), text('2')] });
    expect(h.line.deliveries[0]).toMatchObject({
      kind: 'multicast',
      to: [a.userId, b.userId],
      deliveredTo: [a.userId],
    });
    expect(h.line.consumption(h.channels[0]!.channelId)).toBe(1);
  });

  it('replies once per reply token, within a minute, without using quota', async () => {
    const user = h.line.addUser();
    const event = h.line.events.message.text(user.userId, 'hi');
    const replyToken = event.replyToken!;
    await sdk().replyMessage({ replyToken, messages: [text('いらっしゃいませ')] });
    expect(h.line.messagesTo(user.userId)).toHaveLength(1);
    const again = await sdkError(sdk().replyMessage({ replyToken, messages: [text()] }));
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body)).toEqual({ message: 'Invalid reply token' });

    const late = h.line.events.follow(user.userId).replyToken;
    h.clock.advance(61_000);
    expect(
      (await sdkError(sdk().replyMessage({ replyToken: late, messages: [text()] }))).status,
    ).toBe(400);
    expect(h.line.consumption(h.channels[0]!.channelId)).toBe(0);
    expect(h.line.rejected.map((r) => r.reason)).toEqual([
      'invalidReplyToken',
      'invalidReplyToken',
    ]);
  });

  it('broadcasts to friends and narrowcasts with a progress report', async () => {
    h.line.addUser();
    h.line.addUser();
    await sdk().broadcast({ messages: [text()] }, randomUUID());
    const nc = await sdk().narrowcastWithHttpInfo({ messages: [text()], limit: { max: 1 } });
    expect(nc.httpResponse.status).toBe(202);
    const progress = await sdk().getNarrowcastProgress(
      nc.httpResponse.headers.get('x-line-request-id')!,
    );
    expect(progress).toMatchObject({ phase: 'succeeded', targetCount: 1 });
    expect(h.line.deliveries.map((d) => [d.kind, d.deliveredTo.length])).toEqual([
      ['broadcast', 2],
      ['narrowcast', 1],
    ]);
  });
});

describe('retry keys', () => {
  it('answers a repeat with 409, the accepted request id and the original sentMessages', async () => {
    const user = h.line.addUser();
    const key = randomUUID();
    const first = await sdk().pushMessageWithHttpInfo({ to: user.userId, messages: [text()] }, key);
    const e = await sdkError(sdk().pushMessage({ to: user.userId, messages: [text()] }, key));
    expect(e.status).toBe(409);
    expect(e.headers.get('x-line-accepted-request-id')).toBe(
      first.httpResponse.headers.get('x-line-request-id'),
    );
    expect(e.headers.get('x-line-request-id')).not.toBe(
      first.httpResponse.headers.get('x-line-request-id'),
    );
    expect(JSON.parse(e.body)).toEqual({
      message: 'The retry key is already accepted',
      sentMessages: first.body.sentMessages,
    });
    expect(h.line.deliveries).toHaveLength(1);
    expect(h.line.accepted[0]!.retryKey).toBe(key);
  });

  it('forgets a key after 24 hours, and keys are per channel', async () => {
    const user = h.line.addUser();
    const key = randomUUID();
    await sdk().multicast({ to: [user.userId], messages: [text()] }, key);
    await sdk(h.channels[1]!.accessToken).multicast({ to: [user.userId], messages: [text()] }, key);
    h.clock.advance(24 * 3600 * 1000 - 1);
    expect(
      (await sdkError(sdk().multicast({ to: [user.userId], messages: [text()] }, key))).status,
    ).toBe(409);
    h.clock.advance(1);
    await sdk().multicast({ to: [user.userId], messages: [text()] }, key);
    expect(h.line.deliveries).toHaveLength(3);
  });

  it('a key whose request failed can be retried', async () => {
    const user = h.line.addUser();
    const key = randomUUID();
    h.line.inject({ path: '/v2/bot/message/push', status: 500 });
    expect(
      (await sdkError(sdk().pushMessage({ to: user.userId, messages: [text()] }, key))).status,
    ).toBe(500);
    await sdk().pushMessage({ to: user.userId, messages: [text()] }, key);
    expect(h.line.deliveries).toHaveLength(1);
  });
});

describe('users, followers and content', () => {
  it('serves profiles of friends only', async () => {
    const u = h.line.addUser({
      displayName: '高橋 美咲',
      statusMessage: 'よろしく',
      language: 'ja',
    });
    expect(await sdk().getProfile(u.userId)).toEqual(u);
    h.line.users.block(u.userId);
    expect((await sdkError(sdk().getProfile(u.userId))).status).toBe(404);
    expect((await sdkError(sdk().getProfile('not-a-user-id'))).status).toBe(400);
  });

  it('pages follower IDs with start/limit/next and leaves out blocked users', async () => {
    const ids = Array.from({ length: 7 }, () => h.line.addUser().userId);
    h.line.users.block(ids[3]!);
    const seen: string[] = [];
    let start: string | undefined;
    let pages = 0;
    do {
      const page = await sdk().getFollowers(start, 2);
      seen.push(...page.userIds);
      start = page.next;
      pages++;
    } while (start);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids.filter((_, i) => i !== 3));
    const all = await sdk().getFollowers();
    expect(all.next).toBeUndefined();
    expect((await h.call('GET', '/v2/bot/followers/ids?limit=1001')).status).toBe(400);
    acceptSpecViolations(); // the out-of-range limit above was sent on purpose
    expect((await h.call('GET', '/v2/bot/followers/ids?start=garbage')).status).toBe(400);
  });

  it('serves media a user sent from the data host path', async () => {
    const user = h.line.addUser();
    const event = h.line.events.message.image(user.userId);
    const res = await blob().getMessageContentWithHttpInfo(event.message.id);
    expect(res.httpResponse.headers.get('content-type')).toBe('image/png');
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).subarray(1, 4).toString()).toBe('PNG');
    expect((await h.call('GET', '/v2/bot/message/1/content')).status).toBe(404);
  });

  it('answers 404 for endpoints it does not serve and records them', async () => {
    expect((await h.call('GET', '/v2/bot/group/C1/summary')).status).toBe(404);
    expect(h.line.rejected[0]).toMatchObject({
      reason: 'notImplemented',
      path: '/v2/bot/group/C1/summary',
    });
  });

  it('reset() forgets everything', async () => {
    const u = h.line.addUser();
    await sdk().pushMessage({ to: u.userId, messages: [text()] });
    h.line.reset();
    expect([h.line.accepted, h.line.deliveries, h.line.users.list()]).toEqual([[], [], []]);
  });
});
