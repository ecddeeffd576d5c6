import { randomBytes, randomUUID } from 'node:crypto';
import { messagingApi } from '@line/bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeLine,
  makePng,
  type FakeLine,
  type FakeLineOptions,
} from '../test/fakes/line.ts';
import { acceptSpecViolations } from '../test/fakes/line/guard.ts';
import { createLineClient, type LineClientOptions } from './line-client.ts';
import { LineApiError, type LinePort } from './line-port.ts';
import { createThrottle } from './throttle.ts';

const hex = (n: number) => randomBytes(n).toString('hex');
const channel = {
  channelId: '2000000001',
  channelSecret: hex(16),
  accessToken: `token-${hex(8)}`,
  botUserId: `U${hex(16)}`,
};
const text = (t = 'こんにちは') => ({ type: 'text', text: t });

let fake: FakeLine;
let server: { url: string; close(): Promise<void> };
let clock: { t: number };

async function start(options: Partial<FakeLineOptions> = {}) {
  clock = { t: Date.UTC(2026, 10, 20, 3, 0, 0) };
  fake = createFakeLine({ channels: [channel], now: () => clock.t, ...options });
  server = await fake.listen(0);
}
beforeEach(() => start());
afterEach(() => server.close());

const client = (o: Partial<LineClientOptions> = {}): LinePort =>
  createLineClient({
    channelAccessToken: channel.accessToken,
    baseURL: server.url,
    dataBaseURL: server.url,
    ...o,
  });

/** The LineApiError a call rejects with (fails the test when it resolves). */
async function lineError(p: Promise<unknown>): Promise<LineApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LineApiError);
  return e as LineApiError;
}

describe('LINE client: happy paths against the fake LINE', () => {
  afterEach(() => {
    expect(fake.specViolations).toEqual([]);
    expect(fake.rejected).toEqual([]);
  });

  it('pushes with the retry key and returns LINE’s request id', async () => {
    const user = fake.addUser();
    const key = randomUUID();
    const result = await client().push(user.userId, [text('ご注文ありがとうございます')], key);
    expect(fake.accepted).toHaveLength(1);
    expect(fake.accepted[0]).toMatchObject({ operationId: 'pushMessage', retryKey: key });
    expect(result).toEqual({ requestId: fake.accepted[0]!.requestId, duplicate: false });
    expect(fake.messagesTo(user.userId)).toEqual([text('ご注文ありがとうございます')]);
  });

  it('multicasts with the retry key', async () => {
    const [a, b] = [fake.addUser(), fake.addUser()];
    const key = randomUUID();
    const result = await client().multicast([a.userId, b.userId], [text()], key);
    expect(result.duplicate).toBe(false);
    expect(fake.deliveries[0]).toMatchObject({
      kind: 'multicast',
      deliveredTo: [a.userId, b.userId],
      retryKey: key,
    });
  });

  it('replies with a reply token', async () => {
    const user = fake.addUser();
    const { replyToken } = fake.events.message.text(user.userId, 'hi');
    await client().reply(replyToken!, [text('いらっしゃいませ')]);
    expect(fake.messagesTo(user.userId)).toEqual([text('いらっしゃいませ')]);
    expect(fake.accepted[0]!.retryKey).toBeUndefined();
  });

  it('gets a profile', async () => {
    const user = fake.addUser({ displayName: '佐藤 花子', statusMessage: 'よろしく' });
    expect(await client().getProfile(user.userId)).toEqual({
      userId: user.userId,
      displayName: '佐藤 花子',
      pictureUrl: user.pictureUrl,
      statusMessage: 'よろしく',
      language: 'ja',
    });
  });

  it('pages follower ids with the continuation token', async () => {
    const users = [fake.addUser(), fake.addUser(), fake.addUser()];
    const first = await client().getFollowerIds(undefined, 2);
    expect(first.userIds).toEqual(users.slice(0, 2).map((u) => u.userId));
    expect(first.next).toEqual(expect.any(String));
    const second = await client().getFollowerIds(first.next, 2);
    expect(second).toEqual({ userIds: [users[2]!.userId], next: undefined });
    expect(fake.accepted[1]!.query).toEqual({ start: first.next, limit: '2' });
  });

  it('streams message content from the data host', async () => {
    const user = fake.addUser();
    const event = fake.events.message.image(user.userId, {
      content: { bytes: makePng(4, 3), contentType: 'image/png' },
    });
    const id = (event.message as { id: string }).id;
    const content = await client().getMessageContent(id);
    expect(content.contentType).toBe('image/png');
    const bytes = new Uint8Array(await new Response(content.body).arrayBuffer());
    expect(bytes).toEqual(makePng(4, 3));
  });

  it('links, unlinks and bulk-links rich menus', async () => {
    const sdk = new messagingApi.MessagingApiClient({
      channelAccessToken: channel.accessToken,
      baseURL: server.url,
    });
    const blob = new messagingApi.MessagingApiBlobClient({
      channelAccessToken: channel.accessToken,
      baseURL: server.url,
    });
    const { richMenuId } = await sdk.createRichMenu({
      size: { width: 2500, height: 843 },
      selected: false,
      name: 'main',
      chatBarText: 'メニュー',
      areas: [
        {
          bounds: { x: 0, y: 0, width: 2500, height: 843 },
          action: { type: 'postback', data: 'a=1' },
        },
      ],
    });
    await blob.setRichMenuImage(richMenuId, new Blob([makePng(2500, 843)], { type: 'image/png' }));
    const [a, b, c] = [fake.addUser(), fake.addUser(), fake.addUser()];

    await client().linkRichMenu(a.userId, richMenuId);
    expect(fake.richMenus.linkedTo(a.userId)).toBe(richMenuId);
    await client().unlinkRichMenu(a.userId);
    expect(fake.richMenus.linkedTo(a.userId)).toBeUndefined();
    await client().bulkLinkRichMenu(richMenuId, [b.userId, c.userId]);
    expect([b, c].map((u) => fake.richMenus.linkedTo(u.userId))).toEqual([richMenuId, richMenuId]);
  });

  it('reads the monthly quota and its consumption', async () => {
    expect(await client().getQuota()).toEqual({ type: 'none' });
    fake.setMonthlyQuota(channel.channelId, 1000);
    const user = fake.addUser();
    await client().push(user.userId, [text(), text('2')], randomUUID());
    expect(await client().getQuota()).toEqual({ type: 'limited', value: 1000 });
    expect(await client().getConsumption()).toEqual({ totalUsage: 1 });
  });
});

describe('LINE client: failures become LineApiError kinds', () => {
  it('400: permanent, with LINE’s message and details', async () => {
    const user = fake.addUser();
    const six = Array.from({ length: 6 }, (_, i) => text(String(i)));
    const e = await lineError(client().push(user.userId, six, randomUUID()));
    expect(e).toMatchObject({
      kind: 'permanent',
      status: 400,
      message: 'The request body has 1 error(s)',
    });
    expect(e.details).toEqual([{ message: expect.any(String), property: 'messages' }]);
    expect(e.requestId).toBe(fake.rejected[0]!.requestId);
    expect(fake.deliveries).toEqual([]);
    acceptSpecViolations(); // six messages were sent on purpose
  });

  it('400 injected with details keeps them as LINE wrote them', async () => {
    const body = {
      message: 'The request body has 2 error(s)',
      details: [{ message: 'a', property: 'x' }, { message: 'b' }],
    };
    fake.inject({ path: '/v2/bot/message/multicast', status: 400, body });
    const e = await lineError(client().multicast([fake.addUser().userId], [text()], randomUUID()));
    expect(e).toMatchObject({
      kind: 'permanent',
      status: 400,
      message: body.message,
      details: body.details,
    });
  });

  it('401: unauthorized', async () => {
    const e = await lineError(client({ channelAccessToken: 'revoked' }).getQuota());
    expect(e).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(e.message).toMatch(/^Authentication failed/);
  });

  it('404 on a profile: undefined, not an error', async () => {
    const stranger = `U${hex(16)}`;
    expect(await client().getProfile(stranger)).toBeUndefined();
    const blocker = fake.addUser();
    fake.users.block(blocker.userId);
    expect(await client().getProfile(blocker.userId)).toBeUndefined();
  });

  it('429: rate limited vs. the monthly limit, told apart by LINE’s message', async () => {
    await server.close();
    await start({ rateLimits: { pushMessage: { requests: 1, perMs: 1000 } } });
    const user = fake.addUser();
    await client().push(user.userId, [text()], randomUUID());
    const limited = await lineError(client().push(user.userId, [text()], randomUUID()));
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429 });

    clock.t += 1000;
    fake.setMonthlyQuota(channel.channelId, 1);
    const monthly = await lineError(client().push(user.userId, [text()], randomUUID()));
    expect(monthly).toMatchObject({
      kind: 'monthly_limit',
      status: 429,
      message: 'You have reached your monthly limit.',
    });
    expect(fake.messagesTo(user.userId)).toHaveLength(1);
  });

  it('5xx: retryable', async () => {
    fake.inject({ status: 500 });
    fake.inject({ status: 503 });
    expect(await lineError(client().getConsumption())).toMatchObject({
      kind: 'retryable',
      status: 500,
    });
    expect(await lineError(client().getConsumption())).toMatchObject({
      kind: 'retryable',
      status: 503,
    });
  });

  it('no answer: aborted after timeoutMs, retryable', async () => {
    fake.inject({ path: '/v2/bot/message/push', timeoutMs: Infinity });
    const started = performance.now();
    const e = await lineError(
      client({ timeoutMs: 150 }).push(fake.addUser().userId, [text()], randomUUID()),
    );
    expect(e).toMatchObject({ kind: 'retryable', status: undefined });
    expect(e.message).toMatch(/within 150 ms/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('network error: retryable', async () => {
    const closed = server.url;
    await server.close();
    const e = await lineError(
      createLineClient({ channelAccessToken: 'x', baseURL: closed }).getQuota(),
    );
    expect(e).toMatchObject({ kind: 'retryable', status: undefined });
    await start();
  });

  it('goes through the injected fetch', async () => {
    const seen: string[] = [];
    const counting: typeof fetch = (input, init) => {
      seen.push(`${init?.method} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    expect(await client({ fetch: counting }).getConsumption()).toEqual({ totalUsage: 0 });
    expect(seen).toEqual(['GET /v2/bot/message/quota/consumption']);
  });

  it('409 for a retry key LINE already accepted: success, duplicate, original request id', async () => {
    const user = fake.addUser();
    const key = randomUUID();
    const first = await client().push(user.userId, [text()], key);
    const again = await client().push(user.userId, [text()], key);
    expect(again).toEqual({ requestId: first.requestId, duplicate: true });
    expect(fake.deliveries).toHaveLength(1);
  });
});

describe('LINE client with a throttle', () => {
  it('stays within the endpoint’s limit where a looser throttle gets 429', async () => {
    await server.close();
    await start({ rateLimits: { pushMessage: { requests: 3, perMs: 1000 } } });
    const user = fake.addUser();
    const waits: number[] = [];
    const throttle = createThrottle({
      limits: { pushMessage: { requests: 3, perMs: 1000 } },
      now: () => clock.t,
      // The fake LINE and the throttle share a clock: waiting is moving it forward.
      sleep: async (ms) => {
        waits.push(ms);
        clock.t += ms;
      },
    });
    const throttled = client({ throttle });
    for (let i = 0; i < 7; i++) await throttled.push(user.userId, [text(String(i))], randomUUID());
    expect(fake.rejected).toEqual([]);
    expect(fake.deliveries).toHaveLength(7);
    expect(waits).toEqual([1000, 1000]);

    // The default throttle knows only LINE's 2,000/s, so this channel's stricter limit bites.
    clock.t += 1000;
    const loose = client();
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => loose.push(user.userId, [text()], randomUUID())),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(fake.rejected.map((r) => r.reason)).toEqual(['rateLimit']);
  });
});
