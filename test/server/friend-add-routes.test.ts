import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLineWorld, type LineWorld } from '../helpers/line-world.ts';

let w: LineWorld;
beforeAll(async () => {
  w = await openLineWorld();
  await w.settle();
});
afterAll(() => w.close());

const path = () => `/api/bots/${w.botId}/routes`;

describe('/api/bots/:botId/routes', () => {
  it('creates routes and counts the friends each brought', async () => {
    const created = await w.api('POST', path(), {
      code: 'instagram',
      name: 'Instagram プロフィール',
    });
    expect(created.status).toBe(201);
    const route = await created.json();
    expect(route).toMatchObject({ code: 'instagram', name: 'Instagram プロフィール', friends: 0 });
    expect((await w.api('POST', path(), { code: 'flyer-2026', name: '同梱チラシ' })).status).toBe(
      201,
    );

    const user = w.line.addUser({}, { friendOf: [] });
    await w.testDb.db.kysely
      .insertInto('route_visits')
      .values({ bot_id: w.botId, route_id: route.id, line_user_id: user.userId })
      .execute();
    await w.line.sendWebhook(w.webhookUrl, w.channel.channelId, [
      w.line.events.follow(user.userId),
    ]);
    await w.settle();

    const listed = await (await w.api('GET', path())).json();
    expect(listed.items.map((r: { code: string; friends: number }) => [r.code, r.friends])).toEqual(
      [
        ['instagram', 1],
        ['flyer-2026', 0],
      ],
    );
  });

  it('answers 409 to a code the bot already uses, 400 naming bad fields', async () => {
    const taken = await w.api('POST', path(), { code: 'instagram', name: 'again' });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.fields).toEqual([{ field: 'code', message: 'is taken' }]);
    const bad = await w.api('POST', path(), { code: 'Has Spaces', name: '' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'code',
      'name',
    ]);
  });

  it('renames a route but never changes its code', async () => {
    const [route] = (await (await w.api('GET', path())).json()).items;
    const renamed = await w.api('PATCH', `${path()}/${route.id}`, { name: 'Instagram (bio link)' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({
      code: 'instagram',
      name: 'Instagram (bio link)',
      friends: 1,
    });
    expect((await w.api('PATCH', `${path()}/${route.id}`, { code: 'other' })).status).toBe(400);
  });

  it('keeps bots apart: another bot sees none of these routes and cannot rename them', async () => {
    expect((await w.api('POST', '/api/bots', { id: 'other', name: 'Other shop' })).status).toBe(
      201,
    );
    expect((await (await w.api('GET', '/api/bots/other/routes')).json()).items).toEqual([]);
    const [route] = (await (await w.api('GET', path())).json()).items;
    expect(
      (await w.api('PATCH', `/api/bots/other/routes/${route.id}`, { name: 'stolen' })).status,
    ).toBe(404);
    // The same code is free in another bot.
    expect(
      (await w.api('POST', '/api/bots/other/routes', { code: 'instagram', name: 'IG' })).status,
    ).toBe(201);
  });

  it('answers 404 for an unknown bot or route, and 401 without the token', async () => {
    expect((await w.api('GET', '/api/bots/nobody/routes')).status).toBe(404);
    expect((await w.api('PATCH', `${path()}/no-such-route`, { name: 'x' })).status).toBe(404);
    expect((await w.api('GET', path(), undefined, null)).status).toBe(401);
  });
});
