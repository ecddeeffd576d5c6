import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSendingPause, MONTHLY_LIMIT_REASON } from '../../bot/line-sender.ts';
import { LineEventRepository } from '../../db/line-events.ts';
import { LineInboxRepository } from '../../db/line-inbox.ts';
import { ADMIN_TOKEN } from '../helpers/app.ts';
import { sequentialScansOf } from '../helpers/db.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';
import { parsePrometheus, sample } from '../helpers/prometheus.ts';

const METRICS_TOKEN = 'test-metrics-token-9876543210';

let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld({ inbox: { maxAttempts: 2 }, metricsToken: METRICS_TOKEN });
});
afterAll(() => w.close());

/** GET /metrics over HTTP; the samples, parsed. */
async function scrape(token = METRICS_TOKEN): Promise<Map<string, number>> {
  const res = await fetch(`${w.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

/** How much each of `keys` grew while `work` ran (a missing sample counts as 0). */
async function growth(keys: string[], work: () => Promise<unknown>): Promise<number[]> {
  const before = await scrape();
  await work();
  const after = await scrape();
  return keys.map((k) => (after.get(k) ?? 0) - (before.get(k) ?? 0));
}

const requests = (status: number) =>
  sample('kizuna_line_webhook_requests_total', { status: String(status) });

describe('GET /metrics', () => {
  it('answers 401 without a valid token, and takes the admin token or the metrics token', async () => {
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 'Basic x' },
    ];
    for (const headers of refused) {
      const res = await fetch(`${w.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await scrape(ADMIN_TOKEN)).get('kizuna_database_up')).toBe(1);
    expect((await scrape(METRICS_TOKEN)).get('kizuna_database_up')).toBe(1);
    // The metrics token opens /metrics and nothing else.
    const api = await fetch(`${w.url}/api/bots`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(api.status).toBe(401);
  });

  it('counts webhook answers by status and the events stored by bot', async () => {
    const user = w.line.addUser();
    const events = [
      w.line.events.follow(user.userId),
      w.line.events.message.text(user.userId, 'a'),
    ];
    const send = (body: Parameters<LineWorld['line']['sendWebhook']>[2], opts = {}) =>
      w.line.sendWebhook(w.webhookUrl, w.channel.channelId, body, opts);
    const [ok, unsigned, malformed, stored, unknownBot] = await growth(
      [
        requests(200),
        requests(401),
        requests(400),
        sample('kizuna_line_webhook_events_total', { bot: w.botId }),
        requests(404),
      ],
      async () => {
        expect((await send(events)).status).toBe(200);
        expect((await send([w.line.events.message.text(user.userId, 'b')])).status).toBe(200);
        expect((await send(events, { unsigned: true })).status).toBe(401);
        expect((await send('{"destination":')).status).toBe(400);
        const res = await w.line.sendWebhook(
          `${w.url}/webhooks/line/nobody`,
          w.channel.channelId,
          events,
        );
        expect(res.status).toBe(404);
      },
    );
    expect({ ok, unsigned, malformed, stored, unknownBot }).toEqual({
      ok: 2,
      unsigned: 1,
      malformed: 1,
      stored: 3,
      unknownBot: 1,
    });
    const text = await (
      await fetch(`${w.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const samples = parsePrometheus(text);
    // Every answer is timed; the histogram's count is every request counted above, at least.
    expect(samples.get('kizuna_line_webhook_answer_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(text).toContain('# TYPE kizuna_line_webhook_answer_seconds histogram');
    await w.settle();
  });

  it('reads the inbox backlog and its lag from the database, then sees the worker catch up', async () => {
    await w.settle();
    const user = w.line.addUser();
    for (const text of ['one', 'two', 'three'])
      await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
        w.line.events.message.text(user.userId, text),
      ]);
    // Stored a moment ago: the oldest body has waited a little, and not long.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const waiting = await scrape();
    expect(waiting.get(sample('kizuna_line_inbox_bodies', { state: 'waiting' }))).toBe(3);
    expect(waiting.get(sample('kizuna_line_inbox_bodies', { state: 'set_aside' }))).toBe(0);
    const lag = waiting.get('kizuna_line_inbox_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0.01);
    expect(lag).toBeLessThan(30);

    const [done] = await growth(
      [sample('kizuna_line_events_processed_total', { outcome: 'done' })],
      () => w.settle(),
    );
    expect(done).toBe(3);
    const caughtUp = await scrape();
    expect(caughtUp.get(sample('kizuna_line_inbox_bodies', { state: 'waiting' }))).toBe(0);
    expect(caughtUp.get('kizuna_line_inbox_lag_seconds')).toBe(0);
  });

  it('shows a poison event as retrying, then failed for its bot, while the rest are done', async () => {
    w.kizuna.postbacks.register({
      name: 'metrics-poison',
      matches: (d) => d === 'metrics-poison',
      handle: async () => {
        throw new Error('never handled');
      },
    });
    const user = w.line.addUser();
    const failedKey = sample('kizuna_line_events', { bot: w.botId, state: 'failed' });
    const before = (await scrape()).get(failedKey) ?? 0;
    const [retrying, failed] = await growth(
      [
        sample('kizuna_line_events_processed_total', { outcome: 'retrying' }),
        sample('kizuna_line_events_processed_total', { outcome: 'failed' }),
      ],
      async () => {
        await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
          w.line.events.postback(user.userId, 'metrics-poison'),
          w.line.events.message.text(user.userId, 'fine'),
        ]);
        await w.settle();
      },
    );
    // maxAttempts 2: one attempt to retry, then failed for good.
    expect({ retrying, failed }).toEqual({ retrying: 1, failed: 1 });
    const after = await scrape();
    expect(after.get(failedKey)).toBe(before + 1);
    expect(after.get(sample('kizuna_line_events', { bot: w.botId, state: 'pending' }))).toBe(
      undefined,
    );
  });

  it('counts LINE API requests by bot, operation and outcome', async () => {
    await w.settle();
    const user = w.line.addUser();
    const ok = sample('kizuna_line_api_requests_total', {
      bot: w.botId,
      call: 'getProfile',
      outcome: 'ok',
    });
    const retryable = sample('kizuna_line_api_requests_total', {
      bot: w.botId,
      call: 'getProfile',
      outcome: 'retryable',
    });
    const [oks, failures] = await growth([ok, retryable], async () => {
      w.line.inject({ path: `/v2/bot/profile/${user.userId}`, status: 500 });
      await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
        w.line.events.follow(user.userId),
      ]);
      await w.settle();
      await w.retryJobsNow();
      await w.settle();
    });
    // The profile fetch failed once (LINE's 500) and succeeded when the job ran again.
    expect({ oks, failures }).toEqual({ oks: 1, failures: 1 });
  });

  it("shows a bot whose sending stopped at LINE's monthly limit until staff clear it", async () => {
    const paused = sample('kizuna_line_sending_paused', { bot: w.botId });
    expect((await scrape()).get(paused)).toBeUndefined();
    const db = w.testDb.db.kysely;
    // What LineSender records when LINE answers 429 "monthly limit" (bot/line-sender.test.ts).
    await db
      .updateTable('bots')
      .set({ sending_paused_reason: MONTHLY_LIMIT_REASON, sending_paused_at: new Date() })
      .where('id', '=', w.botId)
      .execute();
    expect((await scrape()).get(paused)).toBe(1);
    await clearSendingPause(db, w.botId);
    expect((await scrape()).get(paused)).toBeUndefined();
  });
});

describe('pipeline reads', () => {
  it('count unfinished events without reading the done ones', async () => {
    const db = w.testDb.db;
    const failedOf = (rows: Awaited<ReturnType<LineEventRepository['unfinished']>>) =>
      rows.find((u) => u.botId === w.botId && u.state === 'failed')?.count ?? 0;
    const before = failedOf(await new LineEventRepository(db.kysely).unfinished());
    await sql`
      insert into line_events (bot_id, webhook_event_id, type, occurred_at, payload, state, attempts)
      select ${w.botId}, 'scan-' || i, 'message', now(), '{}'::jsonb,
        case when i % 1000 = 0 then 'failed' else 'done' end, 1
      from generate_series(1, 5000) as i`.execute(db.kysely);
    await sql`analyze line_events`.execute(db.kysely);
    let unfinished: Awaited<ReturnType<LineEventRepository['unfinished']>> = [];
    const scans = await sequentialScansOf(db, 'line_events', async (trx) => {
      unfinished = await new LineEventRepository(trx).unfinished();
    });
    expect(scans).toBe(0);
    expect(failedOf(unfinished)).toBe(before + 5);
    expect(await new LineInboxRepository(db.kysely).backlog()).toMatchObject({ waiting: 0 });
  });
});
