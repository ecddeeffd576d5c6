import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeLine, type FakeLine } from '../test/fakes/line.ts';
import { createIdTokenVerifier, IdTokenError, type IdTokenVerifier } from './id-token.ts';

// The verifier against the fake LINE Login over real HTTP, on one clock for both.

const CHANNEL = '1650000010';
let clock = Date.parse('2026-11-24T03:00:00Z');
const now = () => clock;
let line: FakeLine;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  line = createFakeLine({
    channels: [
      { channelId: '2000000010', channelSecret: 'a'.repeat(32), accessToken: 't', botUserId: 'U0' },
    ],
    now,
  });
  ({ url, close } = await line.listen());
});
afterAll(async () => {
  await close();
});

const verifier = (o: Partial<Parameters<typeof createIdTokenVerifier>[0]> = {}) =>
  createIdTokenVerifier({ baseURL: url, now, ...o });
const token = (
  o: { channelId?: string; expiresIn?: number; claims?: Record<string, unknown> } = {},
) => line.issueIdToken(line.addUser().userId, { channelId: CHANNEL, ...o });
async function codeOf(v: IdTokenVerifier, idToken: string): Promise<string> {
  try {
    await v.verify(idToken, CHANNEL);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(IdTokenError);
    return (error as IdTokenError).code;
  }
}

describe('ID token verification', () => {
  it('returns the claims LINE verified, the user id from `sub`', async () => {
    const user = line.addUser({ displayName: '佐藤 花子' });
    const idToken = line.issueIdToken(user.userId, { channelId: CHANNEL });
    const claims = await verifier().verify(idToken, CHANNEL);
    expect(claims).toMatchObject({ sub: user.userId, aud: CHANNEL, name: '佐藤 花子' });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('asks LINE once per token until it expires, then refuses it as expired', async () => {
    const v = verifier();
    const idToken = token({ expiresIn: 60 });
    const before = line.idTokenVerifications.length;
    await v.verify(idToken, CHANNEL);
    clock += 30_000;
    await v.verify(idToken, CHANNEL);
    expect(line.idTokenVerifications.length).toBe(before + 1);
    clock += 31_000;
    expect(await codeOf(v, idToken)).toBe('token_expired');
    expect(line.idTokenVerifications.at(-1)).toMatchObject({
      status: 400,
      error: 'IdToken expired.',
    });
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', async () => {
    const v = verifier({ maxEntries: 1 });
    const [a, b] = [token(), token()];
    const before = line.idTokenVerifications.length;
    await v.verify(a, CHANNEL);
    await v.verify(b, CHANNEL);
    await v.verify(a, CHANNEL);
    expect(line.idTokenVerifications.length).toBe(before + 3);
  });

  it('maps each refusal of LINE to its own code', async () => {
    const v = verifier();
    const good = token();
    const [h, p] = good.split('.');
    expect(await codeOf(v, token({ expiresIn: -1 }))).toBe('token_expired');
    expect(await codeOf(v, token({ channelId: '1650000099' }))).toBe('wrong_channel');
    expect(await codeOf(v, `${h}.${p}.${'A'.repeat(43)}`)).toBe('invalid_token');
    expect(await codeOf(v, token({ claims: { iss: 'https://evil.example' } }))).toBe(
      'invalid_token',
    );
    expect(await codeOf(v, 'x')).toBe('invalid_token');
    const asked = line.idTokenVerifications.length;
    expect(await codeOf(v, '')).toBe('missing_token');
    expect(line.idTokenVerifications.length).toBe(asked);
  });

  it('tells LINE being down or slow from a refused token', async () => {
    line.inject({ path: '/oauth2/v2.1/verify', status: 500 });
    expect(await codeOf(verifier(), token())).toBe('line_unavailable');
    line.inject({ path: '/oauth2/v2.1/verify', timeoutMs: Infinity });
    expect(await codeOf(verifier({ timeoutMs: 50 }), token())).toBe('line_unavailable');
    line.reset();
    expect(await codeOf(verifier({ baseURL: 'http://127.0.0.1:1' }), token())).toBe(
      'line_unavailable',
    );
  });
});

describe('fake LINE Login verify', () => {
  const verify = (form: Record<string, string>) =>
    fetch(`${url}/oauth2/v2.1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  it('answers the documented claims, and LINE’s errors for nonce, subject and missing parameters', async () => {
    const user = line.addUser();
    const idToken = line.issueIdToken(user.userId, { channelId: CHANNEL, nonce: 'n-1' });
    const ok = await verify({ id_token: idToken, client_id: CHANNEL, nonce: 'n-1' });
    expect(ok.status).toBe(200);
    expect(Object.keys(await ok.json()).sort()).toEqual(
      ['amr', 'aud', 'exp', 'iat', 'iss', 'name', 'nonce', 'picture', 'sub'].sort(),
    );
    const refusal = async (form: Record<string, string>) => {
      const res = await verify(form);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe('invalid_request');
      return body.error_description;
    };
    expect(await refusal({ id_token: idToken, client_id: CHANNEL, nonce: 'other' })).toBe(
      'Invalid IdToken Nonce.',
    );
    expect(await refusal({ id_token: idToken, client_id: CHANNEL, user_id: 'Uother' })).toBe(
      'Invalid IdToken Subject Identifier.',
    );
    expect(await refusal({ client_id: CHANNEL })).toMatch(/id_token/);
    expect(await refusal({ id_token: idToken })).toMatch(/client_id/);
  });
});
