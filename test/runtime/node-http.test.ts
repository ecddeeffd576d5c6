import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeServer } from '../../server/runtime/node-http.ts';
import { createLogger } from '../../server/logger.ts';
import { signWebhook } from '../fakes/line.ts';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

/**
 * The Node server answers LINE's webhook on a direct path (server/runtime/node-http.ts) and hands
 * everything else to the Hono app, whose route serves the webhook on every other runtime. Each
 * request below goes to both, the Node server over HTTP and the app in-process: the answers must
 * be the same, and so must what each stored.
 */
let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld();
  const bare = await w.api('POST', '/api/bots', { id: 'nosecret', name: 'No secret yet' });
  expect(bare.status).toBe(201);
});
afterAll(() => w.close());

const inboxRows = async () =>
  Number(
    (
      await w.testDb.db.kysely
        .selectFrom('line_inbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

interface Case {
  path?: string;
  body: string | Uint8Array<ArrayBuffer>;
  signature?: string | null;
}

/** A body with one new event, and its correct signature. */
function signed(): { body: string; signature: string } {
  const user = w.line.addUser();
  const body = JSON.stringify({
    destination: w.channel.botUserId,
    events: [w.line.events.message.text(user.userId, 'こんにちは')],
  });
  return { body, signature: signWebhook(w.channel.channelSecret, body) };
}

const signBytes = (bytes: Uint8Array) =>
  createHmac('sha256', w.channel.channelSecret).update(bytes).digest('base64');

/** Sends the case to one side; its status, content type, JSON answer and inbox rows added. */
async function send(side: 'node' | 'app', c: Case) {
  const path = c.path ?? `/webhooks/line/${w.botId}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (c.signature !== null) headers['x-line-signature'] = c.signature ?? '';
  const init = { method: 'POST', headers, body: c.body };
  const before = await inboxRows();
  const res =
    side === 'node' ? await fetch(`${w.url}${path}`, init) : await w.app.request(path, init);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    json: (await res.json()) as unknown,
    stored: (await inboxRows()) - before,
  };
}

async function expectSame(make: () => Case) {
  const node = await send('node', make());
  const app = await send('app', make());
  expect(node).toEqual(app);
  return node;
}

describe('Node server: the direct webhook path answers as the app does', () => {
  it('stores a signed body and answers 200 {}', async () => {
    const answer = await expectSame(() => signed());
    expect(answer).toEqual({ status: 200, type: 'application/json', json: {}, stored: 1 });
  });

  it("answers LINE's URL check (no events) with 200, storing nothing", async () => {
    const body = JSON.stringify({ destination: w.channel.botUserId, events: [] });
    const answer = await expectSame(() => ({
      body,
      signature: signWebhook(w.channel.channelSecret, body),
    }));
    expect(answer).toMatchObject({ status: 200, stored: 0 });
  });

  it('refuses a missing or wrong signature with 401, storing nothing', async () => {
    const missing = await expectSame(() => ({ ...signed(), signature: null }));
    expect(missing).toMatchObject({ status: 401, stored: 0 });
    expect(missing.json).toMatchObject({ error: { code: 'invalid_signature' } });
    const wrong = await expectSame(() => {
      const { body } = signed();
      return { body, signature: signWebhook('0'.repeat(32), body) };
    });
    expect(wrong).toMatchObject({ status: 401, stored: 0 });
  });

  it('answers 400 to signed bytes that are not JSON, not UTF-8, or not a LINE body', async () => {
    const notJson = '{"destination": "U1", "events": [';
    const broken = await expectSame(() => ({
      body: notJson,
      signature: signWebhook(w.channel.channelSecret, notJson),
    }));
    expect(broken).toMatchObject({
      status: 400,
      stored: 0,
      json: { error: { code: 'malformed_json' } },
    });

    const bytes = new TextEncoder().encode(signed().body);
    bytes[bytes.indexOf(0x7b, 1)] = 0xff; // never valid in UTF-8
    const notUtf8 = await expectSame(() => ({ body: bytes, signature: signBytes(bytes) }));
    expect(notUtf8).toMatchObject({ status: 400, json: { error: { code: 'malformed_json' } } });

    const shape = JSON.stringify({ destination: 'U1', events: [{ type: 'follow' }] });
    const invalid = await expectSame(() => ({
      body: shape,
      signature: signWebhook(w.channel.channelSecret, shape),
    }));
    expect(invalid).toMatchObject({ status: 400, stored: 0 });
    expect(invalid.json).toMatchObject({
      error: {
        code: 'invalid_request',
        fields: expect.arrayContaining([
          expect.objectContaining({ field: 'events.0.webhookEventId' }),
        ]),
      },
    });
  });

  it('answers 404 for an unknown bot, and for a bot without a channel secret', async () => {
    const unknown = await expectSame(() => ({ ...signed(), path: '/webhooks/line/nobody' }));
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    const noSecret = await expectSame(() => ({ ...signed(), path: '/webhooks/line/nosecret' }));
    expect(noSecret).toMatchObject({
      status: 404,
      json: { error: { code: 'bot_not_configured' } },
    });
  });

  it('reads the bot id as the router does: percent-encoded, before a query, never nested', async () => {
    const encoded = await expectSame(() => ({ ...signed(), path: '/webhooks/line/%73hop' }));
    expect(encoded).toMatchObject({ status: 200, stored: 1 });
    const query = await expectSame(() => ({
      ...signed(),
      path: `/webhooks/line/${w.botId}?from=line`,
    }));
    expect(query).toMatchObject({ status: 200, stored: 1 });
    const nested = await expectSame(() => ({ ...signed(), path: `/webhooks/line/${w.botId}/` }));
    expect(nested).toMatchObject({ status: 404, stored: 0 });
    const badEscape = await expectSame(() => ({ ...signed(), path: '/webhooks/line/%E0%A4%A' }));
    expect(badEscape.status).toBeGreaterThanOrEqual(400);
    expect(badEscape.stored).toBe(0);
  });
});

describe('Node server: what the direct path leaves to the app', () => {
  it('stores a chunked body (no declared length) through the app', async () => {
    const { body, signature } = signed();
    const before = await inboxRows();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(body);
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const res = await fetch(w.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signature },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await inboxRows()).toBe(before + 1);
  });

  it('answers 413 to a declared length over the limit, storing nothing', async () => {
    const huge = JSON.stringify({ destination: 'U1', events: [], pad: 'x'.repeat(1024 * 1024) });
    const before = await inboxRows();
    const res = await fetch(w.webhookUrl, {
      method: 'POST',
      headers: { 'x-line-signature': signWebhook(w.channel.channelSecret, huge) },
      body: huge,
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect(await inboxRows()).toBe(before);
  });

  it('serves every other route and method through the app', async () => {
    const get = await fetch(w.webhookUrl);
    expect(get.status).toBe(404);
    expect((await fetch(`${w.url}/healthz`)).status).toBe(200);
  });
});

describe('Node server: faults on the direct path', () => {
  it('stores nothing when the sender hangs up mid-body, and keeps serving', async () => {
    const { body, signature } = signed();
    const before = await inboxRows();
    const { port } = new URL(w.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /webhooks/line/${w.botId} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
            `x-line-signature: ${signature}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n` +
            body.slice(0, 20),
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    expect(await inboxRows()).toBe(before);
    expect((await send('node', signed())).status).toBe(200);
  });

  it('answers an unexpected error with a bare 500 and logs the details', async () => {
    const logs: string[] = [];
    const server = createNodeServer({
      fetch: w.app.fetch,
      lineWebhook: () => Promise.reject(new Error('inbox unreachable at db.internal:5432')),
      logger: createLogger('debug', (line) => logs.push(line)),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/line/${w.botId}?t=1`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal_error', message: 'something went wrong on our side' },
      });
      expect(text).not.toContain('db.internal');
      expect(logs.join('\n')).toContain('inbox unreachable');
      expect(logs.join('\n')).toContain(`"path":"/webhooks/line/${w.botId}"`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
