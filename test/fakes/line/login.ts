// The LINE Login side of the fake platform: ID tokens for simulated users, and
// `POST /oauth2/v2.1/verify` answering as LINE does (LINE Login v2.1 reference, "Verify ID token";
// research/line-platform.md §4.3). Plus the Messaging API's account-link tokens, which the user
// side of Account Link (F2.8) spends.
//
// Real LIFF tokens are ES256 with LINE's rotating keys; these are HS256 with the login channel's
// secret (LINE's web-login form), which the fake can check itself. Kizuna never reads a token:
// it asks verify, so the signature scheme is the fake's own business.
//
// Assumptions [U] (not in any spec here): a missing `id_token`/`client_id` answers 400
// `invalid_request` with a description naming the parameter; a `client_id` that owns no token is
// treated as LINE treats any other mismatch ("Invalid IdToken Audience.").
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Faults } from './faults.ts';
import { newRequestId } from './ids.ts';
import type { World } from './world.ts';

const ISSUER = 'https://access.line.me';
const LINK_TOKEN_TTL = 10 * 60 * 1000; // "valid for 10 minutes and can only be used once"

export interface LoginChannel {
  channelId: string;
  channelSecret: string;
}

export interface IssueIdTokenOptions {
  /** The LINE Login channel (owner of the LIFF app) the token is for. */
  channelId: string;
  /** Seconds until expiry (LINE: 1 hour); negative for a token already expired. */
  expiresIn?: number;
  nonce?: string;
  /** Extra or overriding claims (e.g. `iss` for a token from elsewhere). */
  claims?: Record<string, unknown>;
}

export interface Verification {
  clientId: string | undefined;
  status: number;
  error?: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const refuse = (description: string) => ({
  status: 400,
  body: { error: 'invalid_request', error_description: description },
});

export function createLogin(world: World, now: () => number, faults: Faults) {
  const channels = new Map<string, string>();
  const verifications: Verification[] = [];
  const linkTokens = new Map<
    string,
    { channelId: string; userId: string; issuedAt: number; used: boolean }
  >();

  const secretOf = (channelId: string) => {
    let secret = channels.get(channelId);
    if (!secret) channels.set(channelId, (secret = randomBytes(16).toString('hex')));
    return secret;
  };
  const sign = (secret: string, input: string) =>
    createHmac('sha256', secret).update(input).digest('base64url');

  function verify(form: URLSearchParams): { status: number; body: unknown } {
    const idToken = form.get('id_token');
    const clientId = form.get('client_id');
    if (!idToken) return refuse("Required parameter 'id_token' is missing.");
    if (!clientId) return refuse("Required parameter 'client_id' is missing.");
    const [h = '', p = '', s = ''] = idToken.split('.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return refuse('Invalid IdToken.');
    }
    const secret = channels.get(String(claims.aud));
    if (header.alg !== 'HS256' || !secret || !s) return refuse('Invalid IdToken.');
    const expected = Buffer.from(sign(secret, `${h}.${p}`));
    const given = Buffer.from(s);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return refuse('Invalid IdToken.');
    if (claims.iss !== ISSUER) return refuse('Invalid IdToken Issuer.');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now())
      return refuse('IdToken expired.');
    if (String(claims.aud) !== clientId) return refuse('Invalid IdToken Audience.');
    const nonce = form.get('nonce');
    if (nonce !== null && claims.nonce !== nonce) return refuse('Invalid IdToken Nonce.');
    const userId = form.get('user_id');
    if (userId !== null && claims.sub !== userId)
      return refuse('Invalid IdToken Subject Identifier.');
    return { status: 200, body: claims };
  }

  async function handleVerify(c: Context) {
    c.header('x-line-request-id', newRequestId());
    const fault = faults.take('POST', c.req.path);
    if (fault) {
      await faults.hang(fault);
      const f = faults.answer(fault);
      if (f) {
        verifications.push({ clientId: undefined, status: f.status });
        return c.json(f.body as object, f.status as 500);
      }
    }
    const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    const form = new URLSearchParams(
      contentType === 'application/x-www-form-urlencoded' ? await c.req.text() : '',
    );
    const answer = verify(form);
    const error = (answer.body as { error_description?: string }).error_description;
    verifications.push({
      clientId: form.get('client_id') ?? undefined,
      status: answer.status,
      ...(error ? { error } : {}),
    });
    return c.json(answer.body as object, answer.status as 200);
  }

  return {
    /** Mounted before the Messaging API routes (which answer every other path). */
    mount(app: Hono) {
      app.post('/oauth2/v2.1/verify', handleVerify);
    },
    verifications,
    addChannel(channel: LoginChannel) {
      channels.set(channel.channelId, channel.channelSecret);
    },
    /** An ID token of a simulated user, as `liff.getIDToken()` gives it inside LINE. */
    issueIdToken(userId: string, o: IssueIdTokenOptions): string {
      const user = world.users.get(userId) ?? world.users.add({ userId }, { friendOf: [] });
      const iat = Math.floor(now() / 1000);
      const claims = {
        iss: ISSUER,
        sub: userId,
        aud: o.channelId,
        exp: iat + (o.expiresIn ?? 3600),
        iat,
        amr: ['linesso'],
        name: user.displayName,
        ...(user.pictureUrl ? { picture: user.pictureUrl } : {}),
        ...(o.nonce ? { nonce: o.nonce } : {}),
        ...o.claims,
      };
      const input = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(claims)}`;
      return `${input}.${sign(secretOf(o.channelId), input)}`;
    },
    /** Issues a link token (the Messaging API's issueLinkToken, after auth and checks). */
    issueLinkToken(channelId: string, userId: string): string {
      const token = randomBytes(24).toString('base64url').slice(0, 32);
      linkTokens.set(token, { channelId, userId, issuedAt: now(), used: false });
      return token;
    },
    /**
     * The user finishing Account Link at access.line.me: spends the link token. LINE's accountLink
     * event then says `ok` only for an unused token younger than 10 minutes.
     */
    spendLinkToken(linkToken: string): { userId: string; ok: boolean } | undefined {
      const t = linkTokens.get(linkToken);
      if (!t) return undefined;
      const ok = !t.used && now() - t.issuedAt < LINK_TOKEN_TTL;
      t.used = true;
      return { userId: t.userId, ok };
    },
    reset() {
      channels.clear();
      verifications.length = 0;
      linkTokens.clear();
    },
  };
}

export type Login = ReturnType<typeof createLogin>;
