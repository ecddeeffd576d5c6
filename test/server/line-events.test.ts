import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFields, json, pageAll, type ApiPage } from '../helpers/api.ts';
import { ADMIN_TOKEN } from '../helpers/app.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

interface FailedEvent {
  webhookEventId: string;
  type: string;
  lineUserId: string | null;
  occurredAt: string;
  attempts: number;
  lastError: string | null;
  payload: Record<string, unknown>;
}

let w: LineWorld;
/** Whether the `coupon` postback handler is broken (the shop's bug, fixed later in a test). */
let broken = true;
let handled = 0;

beforeAll(async () => {
  w = await openLineWorld({ inbox: { maxAttempts: 2 } });
  w.kizuna.postbacks.register({
    name: 'coupon',
    matches: (data) => data === 'coupon',
    handle: async () => {
      if (broken) throw new Error('coupon service is down');
      handled++;
    },
  });
  // A second bot, whose failed events a retry of the first must leave alone.
  expect((await w.api('POST', '/api/bots', { id: 'other', name: 'Other' })).status).toBe(201);
});
afterAll(() => w.close());

const failed = (query = '', bot = w.botId) =>
  w.api('GET', `/api/bots/${bot}/line-events/failed${query}`);
const retry = (body: unknown, bot = w.botId) =>
  w.api('POST', `/api/bots/${bot}/line-events/retry`, body);
const stateOf = async (webhookEventId: string) =>
  (
    await w.testDb.db.kysely
      .selectFrom('line_events')
      .select(['state', 'attempts', 'last_error'])
      .where('webhook_event_id', '=', webhookEventId)
      .executeTakeFirstOrThrow()
  ).state;

describe('failed LINE events', () => {
  it('lists a poison event with its error, and runs it again once its cause is fixed', async () => {
    const user = w.line.addUser();
    const poison = w.line.events.postback(user.userId, 'coupon');
    const fine = w.line.events.message.text(user.userId, 'hello');
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [poison, fine]);
    await w.settle();

    const page = await json<ApiPage<FailedEvent>>(await failed());
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual([
      {
        webhookEventId: poison.webhookEventId,
        type: 'postback',
        lineUserId: user.userId,
        occurredAt: new Date(poison.timestamp).toISOString(),
        receivedAt: expect.any(String),
        attempts: 2,
        lastError: 'coupon service is down',
        payload: expect.objectContaining({ postback: { data: 'coupon' } }),
      },
    ]);

    broken = false;
    // A done event and an id LINE never sent are named too: only the failed one moves.
    const answer = await json<{ retried: string[] }>(
      await retry({ webhookEventIds: [poison.webhookEventId, fine.webhookEventId, '01UNKNOWN'] }),
    );
    expect(answer.retried).toEqual([poison.webhookEventId]);
    expect(await stateOf(fine.webhookEventId)).toBe('done');
    await w.settle();
    expect(handled).toBe(1);
    expect(await stateOf(poison.webhookEventId)).toBe('done');
    expect((await json<ApiPage<FailedEvent>>(await failed())).items).toEqual([]);
    const postbacks = await sql<{ n: string }>`
      select count(*) as n from postbacks where webhook_event_id = ${poison.webhookEventId}`.execute(
      w.testDb.db.kysely,
    );
    expect(Number(postbacks.rows[0]!.n)).toBe(1);
    // Asking again changes nothing: the event is done, and done events never run twice.
    expect((await json<{ retried: string[] }>(await retry({ all: true }))).retried).toEqual([]);
    await w.settle();
    expect(handled).toBe(1);
  });

  it('pages through failed events newest first, and retries all of one bot only', async () => {
    const base = Date.parse('2026-12-01T00:00:00.000Z');
    const insertFailed = (bot: string, ids: string[]) =>
      sql`
        insert into line_events (bot_id, webhook_event_id, type, occurred_at, payload, state, attempts, last_error)
        select ${bot}, id, 'message', ${new Date(base).toISOString()}::timestamptz + (n || ' seconds')::interval,
          jsonb_build_object('type', 'message', 'webhookEventId', id), 'failed', 5, 'boom'
        from unnest(${ids}::text[]) with ordinality as v(id, n)`.execute(w.testDb.db.kysely);
    const ids = Array.from({ length: 7 }, (_, i) => `01PAGE${String(i).padStart(20, '0')}`);
    await insertFailed(w.botId, ids);
    await insertFailed('other', ['01OTHER00000000000000000000']);

    const { items, pages } = await pageAll(
      async (query) => json<ApiPage<FailedEvent>>(await failed(query)),
      3,
    );
    expect(pages).toBe(3);
    expect(items.map((e) => e.webhookEventId)).toEqual([...ids].reverse());

    broken = false;
    const { retried } = await json<{ retried: string[] }>(await retry({ all: true }));
    expect(retried.sort()).toEqual(ids);
    expect(await stateOf('01OTHER00000000000000000000')).toBe('failed');
    const other = await json<ApiPage<FailedEvent>>(await failed('', 'other'));
    expect(other.items.map((e) => e.webhookEventId)).toEqual(['01OTHER00000000000000000000']);
    await w.settle();
    for (const id of ids) expect(await stateOf(id)).not.toBe('failed');
  });
});

describe('bad input', () => {
  it('answers 400 naming the field, 404 for an unknown bot, 401 without the admin token', async () => {
    expect(await errorFields(await failed('?limit=0'))).toEqual(['query.limit']);
    expect(await errorFields(await failed('?cursor=not-a-cursor'))).toEqual(['query.cursor']);
    for (const body of [
      {},
      { webhookEventIds: [] },
      { webhookEventIds: [''] },
      { webhookEventIds: Array.from({ length: 1001 }, (_, i) => `id${i}`) },
      { all: false },
      { all: true, webhookEventIds: ['x'] },
      { webhookEventIds: 'x' },
    ]) {
      const res = await retry(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()) as unknown).toMatchObject({ error: { code: 'invalid_request' } });
    }
    const raw = (headers: Record<string, string>) =>
      w.app.request(`/api/bots/${w.botId}/line-events/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
        body: 'all',
      });
    expect(await json(await raw({ 'content-type': 'application/json' }), 400)).toMatchObject({
      error: { code: 'bad_request' },
    });
    expect((await raw({})).status).toBe(415);
    expect((await failed('', 'nobody')).status).toBe(404);
    expect((await retry({ all: true }, 'nobody')).status).toBe(404);
    expect(
      (await w.api('GET', `/api/bots/${w.botId}/line-events/failed`, undefined, null)).status,
    ).toBe(401);
    expect(
      (await w.api('POST', `/api/bots/${w.botId}/line-events/retry`, { all: true }, null)).status,
    ).toBe(401);
  });
});
