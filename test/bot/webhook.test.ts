import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../fakes/line.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld();
});
afterAll(() => w.close());

/** Events stored: those still in the inbox's bodies and those already taken into line_events. */
const storedEvents = async () =>
  Number(
    (
      await sql<{ n: string }>`
        select (select count(*) from line_events) + (select coalesce(sum(jsonb_array_length(
          convert_from(body, 'UTF8')::jsonb -> 'events')), 0) from line_inbox) as n`.execute(
        w.testDb.db.kysely,
      )
    ).rows[0]!.n,
  );

async function post(body: string, headers: Record<string, string>, path = w.webhookUrl) {
  return fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('POST /webhooks/line/:botId', () => {
  it("answers LINE's URL check (no events) with 200", async () => {
    const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, []);
    expect(res.status).toBe(200);
  });

  it('stores a signed event and answers 200', async () => {
    const user = w.line.addUser({ displayName: '佐藤' });
    const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
      w.line.events.follow(user.userId),
    ]);
    expect(res.status).toBe(200);
    expect(await storedEvents()).toBe(1);
  });

  it('has the body stored, byte for byte, before it answers 200', async () => {
    const user = w.line.addUser();
    const event = w.line.events.message.text(user.userId, 'こんにちは 🌸');
    // Spacing LINE might use: the bytes the signature covers are the ones kept.
    const body = JSON.stringify({ destination: w.channel.botUserId, events: [event] }, null, 1);
    const res = await post(body, {
      'x-line-signature': signWebhook(w.channel.channelSecret, body),
    });
    expect(res.status).toBe(200);
    const row = await w.testDb.db.kysely
      .selectFrom('line_inbox')
      .select(['bot_id', 'body'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.bot_id).toBe(w.botId);
    expect(new TextDecoder().decode(row.body)).toBe(body);
    await w.settle();
    const stored = await w.testDb.db.kysely
      .selectFrom('line_events')
      .select('state')
      .where('webhook_event_id', '=', event.webhookEventId)
      .executeTakeFirst();
    expect(stored).toEqual({ state: 'done' });
  });

  it('answers 400 to a correctly signed body that is not UTF-8, and stores nothing', async () => {
    const before = await storedEvents();
    const user = w.line.addUser();
    const text = JSON.stringify({
      destination: w.channel.botUserId,
      events: [w.line.events.message.text(user.userId, 'XX')],
    });
    const bytes = new TextEncoder().encode(text);
    const at = text.indexOf('XX');
    bytes[at] = 0xff; // never valid in UTF-8
    bytes[at + 1] = 0xfe;
    const res = await fetch(w.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-line-signature': createHmac('sha256', w.channel.channelSecret)
          .update(bytes)
          .digest('base64'),
      },
      body: bytes,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('malformed_json');
    expect(await storedEvents()).toBe(before);
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const before = await storedEvents();
    const user = w.line.addUser();
    const event = w.line.events.message.text(user.userId, 'hello');
    const body = JSON.stringify({ destination: w.channel.botUserId, events: [event] });
    const missing = await post(body, {});
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('invalid_signature');
    const wrong = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [event], {
      signature: 'AAAA' + signWebhook('x', body).slice(4),
    });
    expect(wrong.status).toBe(401);
    // Signed with another channel's secret.
    const other = await post(body, { 'x-line-signature': signWebhook('0'.repeat(32), body) });
    expect(other.status).toBe(401);
    // A valid signature over different bytes (re-serialised JSON) does not pass either.
    const reserialised = await post(JSON.stringify(JSON.parse(body), null, 2), {
      'x-line-signature': signWebhook(w.channel.channelSecret, body),
    });
    expect(reserialised.status).toBe(401);
    expect(await storedEvents()).toBe(before);
  });

  it('answers 400 to a correctly signed body that is not JSON, or not a LINE body', async () => {
    const before = await storedEvents();
    const res = await w.line.sendWebhook(
      w.webhookUrl,
      w.channel.channelId,
      '{"destination": "U1", "events": [',
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('malformed_json');
    const shape = JSON.stringify({
      destination: w.channel.botUserId,
      events: [{ type: 'follow' }],
    });
    const bad = await post(shape, {
      'x-line-signature': signWebhook(w.channel.channelSecret, shape),
    });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.fields.map((f: { field: string }) => f.field)).toContain(
      'events.0.webhookEventId',
    );
    expect(await storedEvents()).toBe(before);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const huge = JSON.stringify({
      destination: w.channel.botUserId,
      events: [],
      pad: 'x'.repeat(1024 * 1024),
    });
    const res = await post(huge, {
      'x-line-signature': signWebhook(w.channel.channelSecret, huge),
    });
    expect(res.status).toBe(413);
  });

  it('answers 404 for an unknown bot', async () => {
    const res = await w.line.sendWebhook(`${w.url}/webhooks/line/nobody`, w.channel.channelId, []);
    expect(res.status).toBe(404);
  });

  it('stores unknown event types (and keeps answering 200)', async () => {
    const user = w.line.addUser();
    const base = w.line.events.follow(user.userId);
    const unknown = {
      ...base,
      type: 'greatNewEvent',
      webhookEventId: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      greatNewEvent: { x: 1 },
    };
    const res = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [unknown as never]);
    expect(res.status).toBe(200);
    await w.settle();
    const row = await w.testDb.db.kysely
      .selectFrom('line_events')
      .select(['type', 'state'])
      .where('webhook_event_id', '=', unknown.webhookEventId)
      .executeTakeFirst();
    expect(row).toEqual({ type: 'greatNewEvent', state: 'ignored' });
  });

  it('keeps the events in the order LINE listed them, with every field LINE sent', async () => {
    const user = w.line.addUser();
    const events = [
      w.line.events.message.text(user.userId, 'first'),
      w.line.events.postback(user.userId, 'menu:orders'),
      w.line.events.message.text(user.userId, 'third'),
    ].map((e) => ({ ...e, timestamp: 1_790_000_000_000, futureField: { nested: [1, 'x'] } }));
    expect((await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, events)).status).toBe(200);
    await w.settle();
    const rows = await w.testDb.db.kysely
      .selectFrom('line_events')
      .select(['webhook_event_id', 'type', 'line_user_id', 'occurred_at', 'payload'])
      .where(
        'webhook_event_id',
        'in',
        events.map((e) => e.webhookEventId),
      )
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.webhook_event_id)).toEqual(events.map((e) => e.webhookEventId));
    expect(rows.map((r) => r.type)).toEqual(['message', 'postback', 'message']);
    expect(rows.every((r) => r.line_user_id === user.userId)).toBe(true);
    expect(rows[0]!.occurred_at.getTime()).toBe(1_790_000_000_000);
    const payload =
      typeof rows[0]!.payload === 'string' ? JSON.parse(rows[0]!.payload) : rows[0]!.payload;
    expect(payload).toEqual(events[0]);
  });

  it('stores text the database cannot hold as is (U+0000, a lone surrogate) with U+FFFD', async () => {
    const user = w.line.addUser();
    const event = w.line.events.message.text(user.userId, 'nul\u0000 and lone \ud800 end');
    // JSON.stringify writes both as escapes ("\\u0000", "\\ud800"), as a JSON sender may.
    const body = JSON.stringify({ destination: w.channel.botUserId, events: [event] });
    expect(body).toContain('\\ud800');
    const res = await post(body, {
      'x-line-signature': signWebhook(w.channel.channelSecret, body),
    });
    expect(res.status).toBe(200);
    await w.settle();
    const message = await w.testDb.db.kysely
      .selectFrom('messages')
      .select('content')
      .where('line_message_id', '=', event.message.id)
      .executeTakeFirstOrThrow();
    const content =
      typeof message.content === 'string' ? JSON.parse(message.content) : message.content;
    expect(content.text).toBe('nul\uFFFD and lone \uFFFD end');
  });

  it('keeps answering quickly after a burst of bad requests', async () => {
    const body = JSON.stringify({ destination: w.channel.botUserId, events: [] });
    const bad = await Promise.all(
      Array.from({ length: 50 }, () => post(body, { 'x-line-signature': 'bad' })),
    );
    expect(bad.every((r) => r.status === 401)).toBe(true);
    const started = performance.now();
    const ok = await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, []);
    expect(ok.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
