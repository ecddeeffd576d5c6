import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.ts';
import { createFakeLine, type FakeLine, type FakeLineOptions } from '../test/fakes/line.ts';
import { openTestDb, type TestDb } from '../test/helpers/db.ts';
import { createLineClient } from './line-client.ts';
import type { StoredLineError } from './line-errors.ts';
import type { LinePort } from './line-port.ts';
import {
  clearSendingPause,
  LineSender,
  MONTHLY_LIMIT_REASON,
  type LineSenderOptions,
} from './line-sender.ts';

const hex = (n: number) => randomBytes(n).toString('hex');
const channel = {
  channelId: '2000000001',
  channelSecret: hex(16),
  accessToken: `token-${hex(8)}`,
  botUserId: `U${hex(16)}`,
};
const text = (t = 'ご注文ありがとうございます') => ({ type: 'text', text: t });
const HOUR = 3600 * 1000;

let testDb: TestDb;
let db: Kysely<Database>;
beforeAll(async () => {
  testDb = await openTestDb();
  db = testDb.db.kysely;
});
afterAll(() => testDb.close());

let fake: FakeLine;
let server: { url: string; close(): Promise<void> };
let clock: { t: number };
let botId: string;
let sleeps: number[];
let lineForCalls: number;

async function start(options: Partial<FakeLineOptions> = {}) {
  clock = { t: Date.UTC(2026, 10, 20, 3, 0, 0) };
  fake = createFakeLine({ channels: [channel], now: () => clock.t, ...options });
  server = await fake.listen(0);
}
beforeEach(async () => {
  await start();
  botId = `bot-${hex(4)}`;
  await db.insertInto('bots').values({ id: botId, name: 'ショップ' }).execute();
  sleeps = [];
  lineForCalls = 0;
});
afterEach(() => server.close());

function sender(o: Partial<LineSenderOptions> & { token?: string; timeoutMs?: number } = {}) {
  const { token = channel.accessToken, timeoutMs = 10_000, ...rest } = o;
  return new LineSender({
    db,
    lineFor: async (): Promise<LinePort> => {
      lineForCalls++;
      return createLineClient({ channelAccessToken: token, baseURL: server.url, timeoutMs });
    },
    // Waiting is moving the fake LINE's clock forward: no test sleeps for real.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    now: () => new Date(clock.t),
    random: () => 1,
    ...rest,
  });
}

const request = (id: string) =>
  db.selectFrom('line_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const bot = () =>
  db.selectFrom('bots').selectAll().where('id', '=', botId).executeTakeFirstOrThrow();
const pushTo = (userId: string, messages = [text()]) =>
  ({ botId, kind: 'push', to: userId, messages }) as const;

describe('LineSender', () => {
  it('push: stores the request, sends it once and records the attempt', async () => {
    const user = fake.addUser();
    const out = await sender().send(pushTo(user.userId));
    expect(out).toEqual({
      status: 'sent',
      id: expect.any(String),
      lineRequestId: fake.accepted[0]!.requestId,
      duplicate: false,
    });
    const row = await request(out.id);
    expect(row).toMatchObject({
      bot_id: botId,
      kind: 'push',
      state: 'sent',
      attempts: 1,
      error: null,
    });
    expect(row.body).toEqual({ to: user.userId, messages: [text()] });
    expect(row.line_request_id).toBe(fake.accepted[0]!.requestId);
    expect(fake.accepted[0]!.retryKey).toBe(row.retry_key);
    expect(row.first_attempt_at?.getTime()).toBe(clock.t);
    expect(row.last_attempt_at?.getTime()).toBe(clock.t);
    expect(fake.specViolations).toEqual([]);
  });

  it('multicast: sent to every recipient with the stored retry key', async () => {
    const users = [fake.addUser(), fake.addUser()].map((u) => u.userId);
    const out = await sender().send({ botId, kind: 'multicast', to: users, messages: [text()] });
    expect(out.status).toBe('sent');
    const row = await request(out.id);
    expect(fake.deliveries).toMatchObject([
      { kind: 'multicast', deliveredTo: users, retryKey: row.retry_key },
    ]);
    expect(fake.specViolations).toEqual([]);
  });

  it('500 then success: one message accepted, both attempts with the same retry key', async () => {
    const user = fake.addUser();
    fake.inject({ path: '/v2/bot/message/push', status: 500 });
    const out = await sender().send(pushTo(user.userId));
    expect(out.status).toBe('sent');
    const row = await request(out.id);
    expect(fake.accepted).toHaveLength(1);
    expect(fake.rejected).toHaveLength(1);
    expect([fake.rejected[0]!.retryKey, fake.accepted[0]!.retryKey]).toEqual([
      row.retry_key,
      row.retry_key,
    ]);
    expect(fake.messagesTo(user.userId)).toHaveLength(1);
    expect(row).toMatchObject({ state: 'sent', attempts: 2, error: null });
    expect(sleeps).toEqual([1000]);
    expect(row.first_attempt_at!.getTime()).toBe(clock.t - 1000);
    expect(row.last_attempt_at!.getTime()).toBe(clock.t);
    expect(fake.specViolations).toEqual([]);
  });

  it('timeout after LINE accepted: the retry gets 409 and counts as sent, still one message', async () => {
    const user = fake.addUser();
    fake.inject({ path: '/v2/bot/message/push', timeoutMs: Infinity, accept: true });
    const out = await sender({ timeoutMs: 200 }).send(pushTo(user.userId));
    expect(out).toMatchObject({ status: 'sent', duplicate: true });
    expect(fake.accepted).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.rejected.map((r) => [r.status, r.reason])).toEqual([[409, 'retryKeyAccepted']]);
    const row = await request(out.id);
    expect(fake.rejected[0]!.retryKey).toBe(row.retry_key);
    // The request id LINE gave the accepted attempt, from the 409's x-line-accepted-request-id.
    expect(row).toMatchObject({
      state: 'sent',
      attempts: 2,
      line_request_id: fake.accepted[0]!.requestId,
    });
  });

  it('429 rate limit: backs off, then sends exactly once', async () => {
    await server.close();
    await start({ rateLimits: { pushMessage: { requests: 1, perMs: 1000 } } });
    const [a, b] = [fake.addUser(), fake.addUser()];
    await sender().send(pushTo(a.userId));
    const out = await sender().send(pushTo(b.userId));
    expect(out.status).toBe('sent');
    expect(fake.rejected.map((r) => r.reason)).toEqual(['rateLimit']);
    expect(fake.messagesTo(b.userId)).toHaveLength(1);
    expect(sleeps).toEqual([1000]);
    expect(await request(out.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('monthly limit: pauses the bot, and later sends are refused without calling LINE', async () => {
    fake.setMonthlyQuota(channel.channelId, 0);
    const user = fake.addUser();
    const first = await sender().send(pushTo(user.userId));
    expect(first).toEqual({
      status: 'paused',
      id: expect.any(String),
      reason: MONTHLY_LIMIT_REASON,
    });
    expect(await bot()).toMatchObject({
      sending_paused_reason: MONTHLY_LIMIT_REASON,
      sending_paused_at: new Date(clock.t),
    });
    const row = await request(first.id);
    expect(row).toMatchObject({ state: 'paused', attempts: 1 });
    expect(row.error).toMatchObject({
      kind: 'monthly_limit',
      status: 429,
      message: 'You have reached your monthly limit.',
    });
    expect(sleeps).toEqual([]);

    const seen = fake.accepted.length + fake.rejected.length;
    const calls = lineForCalls;
    const second = await sender().send(pushTo(user.userId, [text('2')]));
    expect(second).toMatchObject({ status: 'paused', reason: MONTHLY_LIMIT_REASON });
    expect(fake.accepted.length + fake.rejected.length).toBe(seen);
    expect(lineForCalls).toBe(calls);
    expect(await request(second.id)).toMatchObject({ state: 'paused', attempts: 0 });

    // Staff raise the plan and clear the pause: both requests are sent, with their own keys.
    fake.setMonthlyQuota(channel.channelId, null);
    expect((await clearSendingPause(db, botId)).sort()).toEqual([first.id, second.id].sort());
    expect(await bot()).toMatchObject({ sending_paused_reason: null, sending_paused_at: null });
    expect((await sender().resume(first.id)).status).toBe('sent');
    expect((await sender().resume(second.id)).status).toBe('sent');
    expect(fake.messagesTo(user.userId)).toEqual([text(), text('2')]);
    expect(fake.accepted.map((r) => r.retryKey)).toEqual([
      (await request(first.id)).retry_key,
      (await request(second.id)).retry_key,
    ]);
  });

  it('permanent 400: failed, with LINE’s message and details stored, not retried', async () => {
    const user = fake.addUser();
    const details = [{ message: 'May not be empty', property: 'messages[0].text' }];
    fake.inject({
      path: '/v2/bot/message/push',
      status: 400,
      body: { message: 'The request body has 1 error(s)', details },
    });
    const out = await sender().send(pushTo(user.userId));
    const stored: StoredLineError = {
      kind: 'permanent',
      status: 400,
      message: 'The request body has 1 error(s)',
      details,
      lineRequestId: fake.rejected[0]!.requestId,
    };
    expect(out).toEqual({ status: 'failed', id: expect.any(String), error: stored });
    expect(await request(out.id)).toMatchObject({ state: 'failed', attempts: 1, error: stored });
    expect(sleeps).toEqual([]);
    // A failed request stays failed: sending it again does not reach LINE.
    expect(await sender().resume(out.id)).toEqual(out);
    expect(fake.rejected).toHaveLength(1);
    expect(fake.deliveries).toEqual([]);
  });

  it('401: failed as unauthorized', async () => {
    const out = await sender({ token: 'revoked' }).send(pushTo(fake.addUser().userId));
    expect(out).toMatchObject({ status: 'failed', error: { kind: 'unauthorized', status: 401 } });
  });

  it('retryable errors: bounded attempts with growing backoff, then pending with the same key', async () => {
    const user = fake.addUser();
    fake.inject({ path: '/v2/bot/message/push', status: 503, times: 5 });
    const out = await sender().send(pushTo(user.userId));
    expect(out).toMatchObject({ status: 'pending', error: { kind: 'retryable', status: 503 } });
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    const row = await request(out.id);
    expect(row).toMatchObject({ state: 'pending', attempts: 5 });
    expect(new Set(fake.rejected.map((r) => r.retryKey))).toEqual(new Set([row.retry_key]));

    // A later job resumes it by id: same key, one message.
    const again = await sender().send({ ...pushTo(user.userId), id: out.id });
    expect(again).toMatchObject({ status: 'sent', id: out.id, duplicate: false });
    expect(fake.accepted.map((r) => r.retryKey)).toEqual([row.retry_key]);
    expect(await request(out.id)).toMatchObject({ state: 'sent', attempts: 6, error: null });
    // And a sent request is not sent again.
    expect((await sender().send({ ...pushTo(user.userId), id: out.id })).status).toBe('sent');
    expect(fake.accepted).toHaveLength(1);
  });

  it('resuming a stored pending request (a crash before any answer) reuses its key and body', async () => {
    const user = fake.addUser();
    const id = randomUUID();
    const retryKey = randomUUID();
    await db
      .insertInto('line_requests')
      .values({
        id,
        bot_id: botId,
        kind: 'push',
        retry_key: retryKey,
        body: JSON.stringify({ to: user.userId, messages: [text('元')] }),
      })
      .execute();
    const out = await sender().send({ ...pushTo(user.userId, [text('別')]), id });
    expect(out.status).toBe('sent');
    expect(fake.accepted.map((r) => r.retryKey)).toEqual([retryKey]);
    expect(fake.messagesTo(user.userId)).toEqual([text('元')]);
  });

  it('never retries after the retry key’s 24 hours', async () => {
    const user = fake.addUser();
    fake.inject({ path: '/v2/bot/message/push', status: 500 });
    const out = await sender({ maxAttempts: 1 }).send(pushTo(user.userId));
    expect(out.status).toBe('pending');
    clock.t += 24 * HOUR;
    const late = await sender().resume(out.id);
    expect(late).toMatchObject({ status: 'failed', error: { kind: 'retry_key_expired' } });
    expect(fake.accepted).toEqual([]);
    expect(fake.rejected).toHaveLength(1);
  });

  it('does not sleep past the key’s life: stops early and leaves the request pending', async () => {
    const user = fake.addUser();
    fake.inject({ path: '/v2/bot/message/push', status: 500, times: 2 });
    const out = await sender({ maxAttempts: 1 }).send(pushTo(user.userId));
    clock.t += 24 * HOUR - 800; // 0.8 s of the key left: one more try, but a 1 s backoff does not fit
    const resumed = await sender().resume(out.id);
    expect(resumed.status).toBe('pending');
    expect(sleeps).toEqual([]);
    expect(fake.rejected).toHaveLength(2);
  });

  it('refuses to resume another bot’s request under this bot', async () => {
    const out = await sender().send(pushTo(fake.addUser().userId));
    await expect(
      sender().send({ ...pushTo(fake.addUser().userId), botId: 'other', id: out.id }),
    ).rejects.toThrow(/belongs to bot/);
  });
});
