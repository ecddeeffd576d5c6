import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../helpers/app.ts';

// Forms as data for staff (F2.2): the identity template, new forms, replacing, validation.

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
  expect((await t.api('POST', '/api/bots', { id: 'shop', name: 'Shop' })).status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

const label = { ja: 'ラベル', en: 'Label' };
const survey = {
  key: 'survey',
  title: { ja: 'アンケート', en: 'Survey' },
  fields: [
    { key: 'name', type: 'name', label, required: true, maxLength: 40 },
    { key: 'birthday', type: 'birthday', label },
    { key: 'comment', type: 'text', label, maxLength: 500 },
  ],
  submitLabel: { ja: '送信', en: 'Send' },
  afterSubmit: { ja: 'ありがとうございました', en: 'Thank you' },
  tags: ['アンケート回答'],
};

describe('/api/bots/:botId/forms', () => {
  it('lists the identity form out of the box, with no tags', async () => {
    const res = await t.api('GET', '/api/bots/shop/forms');
    expect(res.status).toBe(200);
    const { items } = await res.json();
    expect(items.map((f: { key: string }) => f.key)).toEqual(['identity']);
    expect(items[0]).toMatchObject({ title: { ja: '本人確認フォーム' }, tags: [] });
  });

  it('creates a form, refuses its key twice, and shows it to the LIFF app without its tags', async () => {
    const created = await t.api('POST', '/api/bots/shop/forms', survey);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({
      ...survey,
      fields: survey.fields.map((f) => ({ required: false, ...f })),
    });
    expect((await t.api('POST', '/api/bots/shop/forms', survey)).status).toBe(409);
    expect(
      (await t.api('POST', '/api/bots/shop/forms', { ...survey, key: 'identity' })).status,
    ).toBe(409);
    const liff = await (await t.app.request('/api/liff/shop/forms/survey')).json();
    expect(liff.fields.map((f: { key: string }) => f.key)).toEqual(['name', 'birthday', 'comment']);
    expect(liff).not.toHaveProperty('tags');
  });

  it('replaces the identity form, and refuses a key other than the path’s', async () => {
    const identity = await (await t.api('GET', '/api/bots/shop/forms/identity')).json();
    const changed = { ...identity, afterSubmit: { ja: '確認しています', en: 'Checking' } };
    expect((await t.api('PUT', '/api/bots/shop/forms/identity', changed)).status).toBe(200);
    expect(
      (await (await t.api('GET', '/api/bots/shop/forms/identity')).json()).afterSubmit,
    ).toEqual(changed.afterSubmit);
    const wrong = await t.api('PUT', '/api/bots/shop/forms/identity', { ...changed, key: 'other' });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.fields).toEqual([
      { field: 'key', message: expect.any(String) },
    ]);
  });

  it('refuses bad definitions naming each field', async () => {
    const res = await t.api('POST', '/api/bots/shop/forms', {
      ...survey,
      key: 'bad',
      fields: [
        { key: 'p1', type: 'phone', label },
        { key: 'p2', type: 'phone', label },
        { key: 'x', type: 'signature', label },
      ],
      tags: [''],
    });
    expect(res.status).toBe(400);
    const fields = (await res.json()).error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['fields.2.type', 'tags.0']));
  });

  it('needs the admin token and a known bot', async () => {
    expect((await t.api('GET', '/api/bots/shop/forms', undefined, null)).status).toBe(401);
    expect((await t.api('GET', '/api/bots/nobot/forms')).status).toBe(404);
    expect((await t.api('GET', '/api/bots/shop/forms/none')).status).toBe(404);
  });

  it('are described in the OpenAPI document with the LIFF routes and Account Link', async () => {
    const doc = await (await t.api('GET', '/api/openapi.json', undefined, null)).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/bots/{botId}/forms',
        '/api/bots/{botId}/forms/{formKey}',
        '/api/liff/{botId}/forms/{formKey}',
        '/api/liff/{botId}/forms/{formKey}/submissions',
        '/api/liff/{botId}/purchases',
        '/api/bots/{botId}/friends/{friendId}/account-link',
        '/liff/{botId}/account-link/complete',
      ]),
    );
    expect(doc.paths['/api/liff/{botId}/purchases'].get.security).toEqual([{ liffIdToken: [] }]);
  });
});
