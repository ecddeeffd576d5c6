import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSpecViolations } from './line/guard.ts';
import { startFake, text, type Harness } from './line/harness.ts';

let h: Harness;
beforeEach(async () => {
  // This file sends requests LINE's spec rejects on purpose, and checks each refusal itself.
  h = await startFake({ expectSpecViolations: true });
});
afterEach(async () => {
  await h.close();
});

describe('spec violations', () => {
  const cases: Array<[string, unknown, { message: string; property: string }]> = [
    [
      'a text message without text',
      { messages: [{ type: 'text' }] },
      { message: 'must be specified', property: 'messages[0].text' },
    ],
    [
      'six messages',
      { messages: Array.from({ length: 6 }, () => text()) },
      { message: 'Size must be between 1 and 5', property: 'messages' },
    ],
    [
      'zero messages',
      { messages: [] },
      { message: 'Size must be between 1 and 5', property: 'messages' },
    ],
    [
      'a 5,001-unit text',
      { messages: [text('a'.repeat(5001))] },
      { message: 'Length must be between 0 and 5000', property: 'messages[0].text' },
    ],
    [
      'emoji counted as two units',
      { messages: [text('😀'.repeat(2501))] },
      { message: 'Length must be between 0 and 5000', property: 'messages[0].text' },
    ],
    [
      'an unknown message type',
      { messages: [{ type: 'txt', text: 'x' }] },
      {
        message: expect.stringContaining('Must be one of') as unknown as string,
        property: 'messages[0].type',
      },
    ],
    [
      'a flex altText over 1,500',
      { messages: [{ type: 'flex', altText: 'a'.repeat(1501), contents: { type: 'bubble' } }] },
      { message: 'Length must be between 0 and 1500', property: 'messages[0].altText' },
    ],
    [
      'a flex button with a bad action',
      {
        messages: [
          {
            type: 'flex',
            altText: 'x',
            contents: {
              type: 'bubble',
              body: {
                type: 'box',
                layout: 'vertical',
                contents: [{ type: 'button', action: { type: 'postback', data: 'd'.repeat(301) } }],
              },
            },
          },
        ],
      },
      {
        message: 'Length must be between 0 and 300',
        property: 'messages[0].contents.body.contents[0].action.data',
      },
    ],
  ];

  it.each(cases)('refuses %s with LINE’s 400 body', async (_name, partial, detail) => {
    const user = h.line.addUser();
    const res = await h.call('POST', '/v2/bot/message/push', {
      body: { to: user.userId, ...(partial as object) },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-line-request-id')).toBeTruthy();
    const body = (await res.json()) as { message: string; details: unknown[] };
    expect(body.message).toBe(`The request body has ${body.details.length} error(s)`);
    expect(body.details).toContainEqual(detail);
    expect(h.line.specViolations).toHaveLength(1);
    expect(h.line.specViolations[0]).toMatchObject({
      reason: 'spec',
      operationId: 'pushMessage',
      status: 400,
    });
    expect(h.line.deliveries).toEqual([]);
  });

  it('accepts exactly 5 messages and exactly 5,000 units', async () => {
    const user = h.line.addUser();
    const res = await h.call('POST', '/v2/bot/message/push', {
      body: { to: user.userId, messages: [text('a'.repeat(5000)), text(), text(), text(), text()] },
    });
    expect(res.status).toBe(200);
    expect(h.line.specViolations).toEqual([]);
  });

  it('refuses 501 multicast recipients and 501 bulk-link users', async () => {
    const ids = Array.from({ length: 501 }, () => h.line.addUser().userId);
    const m = await h.call('POST', '/v2/bot/message/multicast', {
      body: { to: ids, messages: [text()] },
    });
    expect(await m.json()).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ message: 'Size must be between 1 and 500', property: 'to' }],
    });
    const b = await h.call('POST', '/v2/bot/richmenu/bulk/link', {
      body: { richMenuId: 'richmenu-x', userIds: ids },
    });
    expect(b.status).toBe(400);
    expect(h.line.specViolations.map((v) => v.operationId)).toEqual([
      'multicast',
      'linkRichMenuIdToUsers',
    ]);
  });

  it('refuses malformed JSON, a wrong content type and a retry key on reply', async () => {
    const bad = await h.call('POST', '/v2/bot/message/push', { body: '{"to":' });
    expect(bad.status).toBe(400);
    const form = await h.call('POST', '/v2/bot/message/push', {
      body: 'to=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const reply = await h.call('POST', '/v2/bot/message/reply', {
      body: { replyToken: 'x', messages: [text()] },
      headers: { 'x-line-retry-key': randomUUID() },
    });
    expect(reply.status).toBe(400);
    const key = await h.call('POST', '/v2/bot/message/push', {
      body: { to: h.line.addUser().userId, messages: [text()] },
      headers: { 'x-line-retry-key': 'not-a-uuid' },
    });
    expect(key.status).toBe(400);
    expect(h.line.specViolations).toHaveLength(4);
  });
});

describe('the guard every test runs under', () => {
  it('fails a test whose request LINE’s spec rejects, even when the test never looks', async () => {
    const unwatched = await startFake(); // no expectSpecViolations: as in every other test file
    try {
      const res = await unwatched.call('POST', '/v2/bot/message/push', {
        body: { to: unwatched.line.addUser().userId, messages: [{ type: 'text' }] },
        headers: { 'x-line-retry-key': randomUUID() },
      });
      expect(res.status).toBe(400);
      expect(() => checkSpecViolations()).toThrow(
        /refused 1 request\(s\) that the platform's official spec rejects/,
      );
      // Checked once: the same violation is not reported again.
      expect(() => checkSpecViolations()).not.toThrow();
    } finally {
      await unwatched.close();
    }
  });
});
