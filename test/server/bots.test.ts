import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(() => t.close());

const secret = '0123456789abcdef0123456789abcdef';
const token = 'a'.repeat(40) + '/tokenTOKEN=';

describe('/api/bots', () => {
  it('refuses requests without the admin token, or with a wrong one', async () => {
    for (const auth of [null, 'wrong-token', '']) {
      const res = await t.api('GET', '/api/bots', undefined, auth);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
    expect((await t.api('POST', '/api/bots', { name: 'x' }, null)).status).toBe(401);
  });

  it('creates a bot and never returns its secrets', async () => {
    const res = await t.api('POST', '/api/bots', {
      id: 'shop',
      name: 'My shop',
      channelId: '1234567890',
      channelSecret: secret,
      channelAccessToken: token,
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain(token);
    expect(JSON.parse(text)).toMatchObject({
      id: 'shop',
      name: 'My shop',
      channelId: '1234567890',
      hasChannelSecret: true,
      hasChannelAccessToken: true,
    });
    const listed = await (await t.api('GET', '/api/bots')).text();
    expect(listed).not.toContain(secret);
  });

  it('stores secrets sealed, and opens them for the LINE client only', async () => {
    const row = await sql<{
      s: string;
      a: string;
    }>`select channel_secret_sealed as s, access_token_sealed as a from bots where id = 'shop'`.execute(
      t.testDb.db.kysely,
    );
    expect(row.rows[0]!.s).toMatch(/^v1\./);
    expect(row.rows[0]!.s).not.toContain(secret);
    expect(row.rows[0]!.a).not.toContain(token);
    expect(await t.kizuna.bots.credentials('shop')).toEqual({
      channelSecret: secret,
      channelAccessToken: token,
    });
  });

  it('answers 400 naming each bad field, and stores nothing', async () => {
    const res = await t.api('POST', '/api/bots', {
      id: 'Bad Id!',
      name: '',
      channelSecret: 'short',
      extra: 1,
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_request');
    const fields = body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'name', 'channelSecret']));
    expect((await t.kizuna.bots.list()).map((b) => b.id)).toEqual(['shop']);
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await t.api('POST', '/api/bots', '{"name": ');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toMatch(/invalid_request|bad_request/);
  });

  it('answers 409 to a taken id and keeps the stored bot as it was', async () => {
    const res = await t.api('POST', '/api/bots', { id: 'shop', name: 'Impostor' });
    expect(res.status).toBe(409);
    expect((await res.json()).error.fields).toEqual([{ field: 'id', message: 'is taken' }]);
    expect((await t.kizuna.bots.get('shop'))?.name).toBe('My shop');
  });

  it('updates only the fields given', async () => {
    const res = await t.api('PATCH', '/api/bots/shop', { name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'Renamed',
      channelId: '1234567890',
      hasChannelSecret: true,
    });
    expect((await t.kizuna.bots.credentials('shop'))?.channelSecret).toBe(secret);
  });

  it('answers 404 for an unknown bot and 400 for a malformed id', async () => {
    expect((await t.api('GET', '/api/bots/nobody')).status).toBe(404);
    expect((await t.api('PATCH', '/api/bots/nobody', { name: 'x' })).status).toBe(404);
    const bad = await t.api('GET', '/api/bots/NOT%20AN%20ID');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0].field).toBe('param.botId');
  });

  it('gives a bot without an id a generated one', async () => {
    const res = await t.api('POST', '/api/bots', { name: 'Second shop' });
    expect(res.status).toBe(201);
    expect((await res.json()).id).toMatch(/^[a-z0-9][a-z0-9_-]+$/);
  });
});
