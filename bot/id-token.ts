/**
 * LIFF ID tokens, verified by LINE (research/line-platform.md §4.3): `POST /oauth2/v2.1/verify`
 * with the token and the LINE Login channel id that owns the LIFF app. The server never trusts a
 * user id the browser sends (F2.1): the friend is the verified token's `sub`, nothing else.
 *
 * LIFF tokens are ES256-signed with keys LINE rotates; asking LINE is the documented way and keeps
 * Kizuna out of key management. A good answer is cached until the token expires, so a shopper who
 * opens the form and the purchase history costs LINE one call.
 */
export interface VerifiedIdToken {
  /** The LINE user id. */
  sub: string;
  /** The login channel id the token was issued for. */
  aud: string;
  /** Expiry, epoch seconds. */
  exp: number;
  iat: number;
  name?: string | undefined;
  picture?: string | undefined;
  email?: string | undefined;
}

export type IdTokenErrorCode =
  'missing_token' | 'invalid_token' | 'token_expired' | 'wrong_channel' | 'line_unavailable';

export class IdTokenError extends Error {
  constructor(
    readonly code: IdTokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdTokenError';
  }
}

export interface IdTokenVerifier {
  /** Resolves with the token's claims or throws IdTokenError. */
  verify(idToken: string, loginChannelId: string): Promise<VerifiedIdToken>;
}

export interface IdTokenVerifierOptions {
  /** https://api.line.me unless given (the fake LINE in tests). */
  baseURL?: string | undefined;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Verified tokens kept (least recently used dropped first). */
  maxEntries?: number;
}

const ISSUER = 'https://access.line.me';

/** LINE's `error_description`s of a 400 (LINE Login v2.1 reference, "Verify ID token"). */
const REFUSALS: Record<string, IdTokenErrorCode> = {
  'IdToken expired.': 'token_expired',
  'Invalid IdToken Audience.': 'wrong_channel',
};

export function createIdTokenVerifier(options: IdTokenVerifierOptions = {}): IdTokenVerifier {
  const base = options.baseURL ?? 'https://api.line.me';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, VerifiedIdToken>();

  function cached(key: string): VerifiedIdToken | undefined {
    const hit = cache.get(key);
    if (!hit) return undefined;
    cache.delete(key);
    if (hit.exp * 1000 <= now()) return undefined;
    cache.set(key, hit); // most recently used last
    return hit;
  }

  function remember(key: string, claims: VerifiedIdToken) {
    cache.set(key, claims);
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  }

  return {
    async verify(idToken, loginChannelId) {
      if (!idToken) throw new IdTokenError('missing_token', 'no ID token');
      const key = `${loginChannelId}\n${idToken}`;
      const hit = cached(key);
      if (hit) return hit;

      let res: Response;
      try {
        res = await doFetch(new URL('/oauth2/v2.1/verify', base), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ id_token: idToken, client_id: loginChannelId }).toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw new IdTokenError('line_unavailable', 'LINE could not be reached to verify the token');
      }
      const text = await res.text().catch(() => '');
      if (res.status === 400) {
        const description = readJson(text)?.error_description;
        const code = (typeof description === 'string' && REFUSALS[description]) || 'invalid_token';
        throw new IdTokenError(code, `LINE refused the ID token: ${String(description)}`);
      }
      if (!res.ok)
        throw new IdTokenError('line_unavailable', `LINE answered ${res.status} to verify`);
      const claims = toClaims(readJson(text));
      if (!claims) throw new IdTokenError('line_unavailable', 'LINE answered verify unreadably');
      // LINE checked these already; checked again so a misrouted answer can never let one in.
      if (claims.aud !== loginChannelId)
        throw new IdTokenError('wrong_channel', 'the ID token is for another channel');
      if (claims.exp * 1000 <= now()) throw new IdTokenError('token_expired', 'IdToken expired');
      remember(key, claims);
      return claims;
    },
  };
}

function readJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toClaims(body: Record<string, unknown> | undefined): VerifiedIdToken | undefined {
  if (!body) return undefined;
  const { iss, sub, aud, exp, iat } = body;
  if (iss !== ISSUER || typeof sub !== 'string' || !sub) return undefined;
  if (typeof exp !== 'number' || typeof iat !== 'number') return undefined;
  if (typeof aud !== 'string' && typeof aud !== 'number') return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    sub,
    aud: String(aud),
    exp,
    iat,
    name: text(body.name),
    picture: text(body.picture),
    email: text(body.email),
  };
}
