import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../helpers/app.ts';
import { HOSTILE, worldOf, writeWorld, type GenFriend } from '../helpers/segments.ts';
import { json } from '../helpers/api.ts';

const w = worldOf('segapi');
const NAME = `${HOSTILE} (new)`;
const base: GenFriend = {
  route: null,
  firstFollowedAt: new Date('2026-01-05T00:00:00Z'),
  lastFollowedAt: new Date('2026-01-05T00:00:00Z'),
  blockedAt: null,
  source: 'follow',
  birthday: null,
  tags: [],
  customers: [],
};
// f0–f2 follow, f3 blocked.
const friends: GenFriend[] = [base, base, base, { ...base, blockedAt: new Date('2026-01-06') }];

let a: TestApp;
beforeAll(async () => {
  a = await openTestApp();
  await writeWorld(a.testDb.db, w, friends);
});
afterAll(() => a.close());

const following = { kind: 'follow', statuses: ['following'] };
const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
type Fields = { error: { code: string; fields: { field: string; message: string }[] } };

describe('tags API', () => {
  let tagId = '';
  it('creates a tag whose name is hostile text, once per name', async () => {
    const tag = await json<{ id: string; name: string }>(
      await a.api('POST', '/api/bots/segapi/tags', { name: NAME }),
      201,
    );
    expect(tag.name).toBe(NAME);
    tagId = tag.id;
    expect((await a.api('POST', '/api/bots/segapi/tags', { name: NAME })).status).toBe(409);
  });

  it('adds the tag in bulk to a filter’s friends, then to one more, then removes it', async () => {
    const path = `/api/bots/segapi/tags/${tagId}/friends`;
    expect(await json(await a.api('POST', path, { action: 'add', filter: following }))).toEqual({
      changed: 3,
    });
    expect(await json(await a.api('POST', path, { action: 'add', filter: following }))).toEqual({
      changed: 0,
    });
    const one = '/api/bots/segapi/friends/segapi-f3/tags';
    expect(await json(await a.api('POST', one, { tagId }))).toEqual({ added: true });
    const tags = await json<{ items: { name: string; source: string }[] }>(await a.api('GET', one));
    expect(tags.items).toMatchObject([{ name: NAME, source: 'staff' }]);
    expect(await json(await a.api('DELETE', `${one}/${tagId}`))).toEqual({ removed: true });
    const list = await json<{ items: { id: string; friendCount: number }[] }>(
      await a.api('GET', '/api/bots/segapi/tags'),
    );
    expect(list.items.find((x) => x.id === tagId)?.friendCount).toBe(3);
  });

  it('rules: CRUD, a tag of the bot only, runs listed', async () => {
    const body = { name: 'followers', filter: following, action: 'add', tagId };
    const rule = await json<{ id: string; trigger: string }>(
      await a.api('POST', '/api/bots/segapi/rules', body),
      201,
    );
    expect(rule.trigger).toBe('schedule');
    const bad = await json<Fields>(
      await a.api('POST', '/api/bots/segapi/rules', { ...body, tagId: 'nope' }),
      400,
    );
    expect(bad.error.fields[0]!.field).toBe('tagId');
    await a.api('PUT', `/api/bots/segapi/rules/${rule.id}`, { ...body, enabled: false });
    expect(await json(await a.api('GET', `/api/bots/segapi/rules/${rule.id}`))).toMatchObject({
      enabled: false,
    });
    expect(await json(await a.api('GET', `/api/bots/segapi/rules/${rule.id}/runs`))).toEqual({
      items: [],
    });
    expect((await a.api('DELETE', `/api/bots/segapi/rules/${rule.id}`)).status).toBe(204);
  });
});

describe('friend lists by filter', () => {
  it('lists, counts and exports the friends a filter selects', async () => {
    const page = await json<{ items: { id: string }[] }>(
      await a.api('GET', `/api/bots/segapi/friends?limit=2&filter=${q(following)}`),
    );
    expect(page.items).toHaveLength(2);
    expect(
      await json(await a.api('POST', '/api/bots/segapi/friends/count', { filter: following })),
    ).toEqual({ count: 3 });
    const csv = await a.api('GET', `/api/bots/segapi/friends.csv?filter=${q(following)}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('LINEユーザーID');
  });

  it('answers 400 naming the path inside a bad filter', async () => {
    const openRange = {
      kind: 'and',
      filters: [{ kind: 'friendAdded', range: { from: '2026-01-01' } }],
    };
    const listed = await json<Fields>(
      await a.api('GET', `/api/bots/segapi/friends?filter=${q(openRange)}`),
      400,
    );
    expect(listed.error.fields[0]!.field).toBe('filter.filters.0.range.to');
    const counted = await json<Fields>(
      await a.api('POST', '/api/bots/segapi/friends/count', {
        filter: { kind: 'not', filter: { kind: 'route', routeIds: ['r'], extra: 1 } },
      }),
      400,
    );
    expect(counted.error.fields[0]!.field).toBe('filter.filter');
    expect(counted.error.fields[0]!.message).toContain('extra');
    const typed = await json<Fields>(
      await a.api('POST', '/api/bots/segapi/friends/count', {
        filter: { kind: 'purchaseStat', stat: 'orderCount', op: 'gte', value: '3' },
      }),
      400,
    );
    expect(typed.error.fields[0]!.field).toBe('filter.value');
    expect((await a.api('GET', '/api/bots/segapi/friends?filter=%7Bnot-json')).status).toBe(400);
  });

  it('documents the new routes', async () => {
    const doc = await json<{ paths: Record<string, unknown> }>(
      await a.api('GET', '/api/openapi.json'),
    );
    for (const path of [
      '/api/bots/{botId}/tags',
      '/api/bots/{botId}/tags/{tagId}',
      '/api/bots/{botId}/tags/{tagId}/friends',
      '/api/bots/{botId}/friends/{friendId}/tags',
      '/api/bots/{botId}/rules',
      '/api/bots/{botId}/rules/{ruleId}',
      '/api/bots/{botId}/rules/{ruleId}/runs',
      '/api/bots/{botId}/friends/count',
      '/api/bots/{botId}/friends.csv',
    ])
      expect(doc.paths, path).toHaveProperty([path]);
  });
});
