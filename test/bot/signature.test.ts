import { describe, expect, it } from 'vitest';
import { verifyLineSignature, type SignatureVerifier } from '../../bot/signature.ts';
import { verifyLineSignatureNode } from '../../server/runtime/node-signature.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
// LINE's SDK known-answer vector.
const secret = 'test_secret';
const body = '{"hello":"world"}';
const good = 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=';

describe.each<[string, SignatureVerifier]>([
  ['WebCrypto (every runtime)', verifyLineSignature],
  ['node:crypto (Node)', verifyLineSignatureNode],
])('x-line-signature check with %s', (_name, verify) => {
  it("accepts LINE's known-answer vector", async () => {
    expect(await verify(secret, bytes(body), good)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64', '%%%'],
    ['too short', good.slice(0, 20)],
    ['one bit off', 'u' + good.slice(1)],
  ])('refuses a signature that is %s', async (_what, signature) => {
    expect(await verify(secret, bytes(body), signature)).toBe(false);
  });

  it('refuses another secret or other bytes', async () => {
    expect(await verify('other_secret', bytes(body), good)).toBe(false);
    expect(await verify(secret, bytes('{"hello": "world"}'), good)).toBe(false);
  });
});
