// The spec machinery the fake relies on: discriminator dispatch, LINE-style error details, and
// that every path the fake serves is a real operation in messaging-api.yml.
import { describe, expect, it } from 'vitest';
import { createFakeLine } from './line.ts';
import { testChannels } from './line/harness.ts';
import { expandDiscriminators, loadSpec, propertyPath } from './line/openapi.ts';
import { imageSize, makePng } from './line/png.ts';
import {
  bodySchemaName,
  isDataHost,
  operation,
  takesRetryKey,
  validateSchema,
} from './line/spec.ts';

describe('expandDiscriminators', () => {
  const schemas = {
    Shape: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string' } },
      discriminator: { propertyName: 'kind', mapping: { sq: '#/components/schemas/Square' } },
    },
    Square: { allOf: [{ $ref: '#/components/schemas/Shape' }, { required: ['side'] }] },
  };
  const out = expandDiscriminators(schemas);

  it('keeps the plain base and points subtypes at it', () => {
    expect(out.Shape__base).not.toHaveProperty('discriminator');
    expect((out.Square!.allOf as Array<{ $ref?: string }>)[0]!.$ref).toBe(
      '#/components/schemas/Shape__base',
    );
  });

  it('leaves the input untouched', () => {
    expect((schemas.Square.allOf[0] as { $ref: string }).$ref).toBe('#/components/schemas/Shape');
  });
});

describe('messaging-api.yml validation', () => {
  it('dispatches nested discriminators: template → action', () => {
    const msg = {
      type: 'template',
      altText: 'x',
      template: {
        type: 'confirm',
        actions: [
          { type: 'message', label: 'yes', text: 'yes' },
          { type: 'uri', label: 'no', uri: 'not a uri' },
          { type: 'teleport' },
        ],
      },
    };
    const details = validateSchema('BroadcastRequest', { messages: [msg] });
    expect(details).toHaveLength(3);
    expect(details).toEqual(
      expect.arrayContaining([
        { message: 'must be specified', property: 'messages[0].template.text' },
        { message: 'Invalid format', property: 'messages[0].template.actions[1].uri' },
        {
          message: expect.stringMatching(/^Must be one of the following values: \[camera, /),
          property: 'messages[0].template.actions[2].type',
        },
      ]),
    );
  });

  it('a spec-valid message passes', () => {
    const flex = {
      type: 'flex',
      altText: '注文確認',
      contents: {
        type: 'carousel',
        contents: [
          {
            type: 'bubble',
            body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: '#1001' }] },
          },
        ],
      },
    };
    expect(
      validateSchema('PushMessageRequest', {
        to: 'U' + '0'.repeat(32),
        messages: [flex],
        notificationDisabled: true,
      }),
    ).toEqual([]);
  });

  it('names properties the way LINE does', () => {
    expect(propertyPath('/messages/0/contents/body/contents/3')).toBe(
      'messages[0].contents.body.contents[3]',
    );
    expect(propertyPath('', 'to')).toBe('to');
  });

  it('knows retry keys, hosts and body schemas from the spec itself', () => {
    expect(takesRetryKey(operation('/v2/bot/message/push', 'POST'))).toBe(true);
    expect(takesRetryKey(operation('/v2/bot/message/reply', 'POST'))).toBe(false);
    expect(isDataHost(operation('/v2/bot/message/{messageId}/content', 'GET'))).toBe(true);
    expect(isDataHost(operation('/v2/bot/profile/{userId}', 'GET'))).toBe(false);
    expect(bodySchemaName(operation('/v2/bot/message/multicast', 'POST'))).toBe('MulticastRequest');
  });

  it('every route the fake serves exists in messaging-api.yml', () => {
    const doc = loadSpec('messaging-api.yml');
    const line = createFakeLine({ channels: testChannels() });
    // LINE Login's /oauth2/v2.1/* has no OpenAPI spec among LINE's (test/fakes/line/login.ts).
    const served = line.app.routes
      .filter((r) => r.path !== '/*' && !r.path.startsWith('/oauth2/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(30);
    for (const s of served) {
      const [method, path] = s.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()], s).toBeDefined();
    }
  });
});

describe('png', () => {
  it('writes images whose size it reads back', () => {
    expect(imageSize(makePng(800, 270))).toEqual({ width: 800, height: 270, type: 'png' });
    expect(imageSize(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
