// futureshop's HTTP side: the OAuth client-credentials token (cached until it expires, fetched
// again once on a 401), Bearer + X-SHOP-KEY on every call, retries with backoff on 429/5xx/
// timeouts, and errors in a shop's words. Assumptions: top of ../futureshop.ts.
import { CartError, type ConnectorContext } from '../connector.ts';
import { retryAfterMs } from '../paced.ts';
import { tokenResponse } from './wire.ts';

export interface FutureshopCredentials {
  apiDomain: string;
  shopKey: string;
  clientId: string;
  clientSecret: string;
}
type Ctx = ConnectorContext<FutureshopCredentials>;

export interface ClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** Least time between two API calls of one sync (the token request is not counted). */
  minIntervalMs: number;
}

/** A token is dropped this long before futureshop says it expires, so no call carries a dying one. */
const EXPIRY_MARGIN_MS = 60_000;
/** When the token answer has no expires_in: 3600 s is what one integrator saw. */
const DEFAULT_EXPIRES_IN_S = 3600;

interface Token {
  value: string;
  expiresAt: number;
}

/** The tokens of one connector, per (domain, shop, client): they outlive a sync, not a process. */
export type TokenCache = Map<string, Token>;
const cacheKey = (base: string, c: FutureshopCredentials) =>
  JSON.stringify([base, c.shopKey, c.clientId, c.clientSecret]);

function isDnsFailure(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN';
}

export function baseOf(ctx: Ctx): string {
  return (ctx.baseUrl ?? `https://${ctx.credentials.apiDomain}`).replace(/\/+$/, '');
}

/** One sync's calls. `connecting`: refusals are wrong credentials, not a revoked client. */
export function session(ctx: Ctx, cache: TokenCache, options: ClientOptions, connecting = false) {
  const { timeoutMs, maxAttempts, minIntervalMs } = options;
  const base = baseOf(ctx);
  const creds = ctx.credentials;
  let last: number | null = null;

  const refused = () =>
    connecting
      ? new CartError(
          'bad_credentials',
          'futureshopが認証情報を受け付けません。クライアントID・クライアントシークレット・店舗キーを確認してください',
          'clientSecret',
        )
      : new CartError(
          'revoked',
          'futureshopがAPIの認証を拒否しました。クライアントシークレットを確認して再接続してください',
        );

  /** One request with retries; `answer` reads a response or returns null to retry it. */
  async function send(url: string, init: () => RequestInit, what: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let failure: CartError;
      let wait: number | null = null;
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
      try {
        const res = await ctx.fetch(url, { ...init(), signal });
        if (res.status === 429) {
          await res.body?.cancel();
          failure = new CartError('rate_limited', 'futureshopのAPI利用制限に達しました');
          wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
        } else if (res.status >= 500) {
          await res.body?.cancel();
          failure = new CartError('unavailable', `futureshopが応答できません (HTTP ${res.status})`);
        } else {
          return res;
        }
      } catch (e) {
        if (ctx.signal?.aborted) throw e;
        if (isDnsFailure(e))
          throw new CartError(
            'not_found',
            `APIドメインが見つかりません (${creds.apiDomain})`,
            'apiDomain',
            { cause: e },
          );
        failure = new CartError(
          'unavailable',
          timer.aborted
            ? `futureshopが${timeoutMs / 1000}秒以内に応答しませんでした (${what})`
            : 'futureshopに接続できません',
          undefined,
          { cause: e },
        );
      }
      if (attempt >= maxAttempts) throw failure;
      await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }

  async function json(res: Response, what: string): Promise<unknown> {
    try {
      return await res.json();
    } catch (e) {
      throw new CartError('malformed', `futureshop answered ${what} with invalid JSON`, undefined, {
        cause: e,
      });
    }
  }

  async function fetchToken(): Promise<Token> {
    const res = await send(
      `${base}/oauth/token`,
      () => ({
        method: 'POST',
        headers: {
          Authorization: `Basic ${btoa(`${creds.clientId}:${creds.clientSecret}`)}`,
          'X-SHOP-KEY': creds.shopKey,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      }),
      'token',
    );
    if (res.status === 404) {
      await res.body?.cancel();
      throw new CartError(
        'not_found',
        `futureshopのAPIが見つかりません (${creds.apiDomain})`,
        'apiDomain',
      );
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw refused();
    }
    const body = tokenResponse.safeParse(await json(res, 'the token request'));
    if (!res.ok || !body.success)
      throw new CartError('malformed', `futureshop token request failed (HTTP ${res.status})`);
    const seconds = body.data.expires_in ?? DEFAULT_EXPIRES_IN_S;
    const token = {
      value: body.data.access_token,
      expiresAt: ctx.now().getTime() + seconds * 1000 - EXPIRY_MARGIN_MS,
    };
    cache.set(cacheKey(base, creds), token);
    return token;
  }

  async function token(): Promise<Token> {
    const held = cache.get(cacheKey(base, creds));
    return held && held.expiresAt > ctx.now().getTime() ? held : fetchToken();
  }

  async function pace(): Promise<void> {
    const now = ctx.now().getTime();
    if (last !== null && minIntervalMs > 0 && last + minIntervalMs > now)
      await ctx.sleep(last + minIntervalMs - now);
    last = ctx.now().getTime();
  }

  /**
   * GET an API path or a `nextUrl` futureshop gave. A 401 gets one fresh token (the cached one
   * may have been revoked or expired early); a second 401 is the client being refused.
   */
  async function get(pathOrUrl: string, params?: URLSearchParams): Promise<unknown> {
    const url = pathOrUrl.startsWith('/')
      ? `${base}${pathOrUrl}${params ? `?${params.toString()}` : ''}`
      : pathOrUrl;
    // The token goes only to the API domain, whatever a nextUrl says.
    if (new URL(url).origin !== new URL(base).origin)
      throw new CartError('malformed', `futureshop nextUrl leaves the API domain: ${url}`);
    let bearer = await token();
    for (let renewed = false; ; renewed = true) {
      await pace();
      const res = await send(
        url,
        () => ({
          headers: {
            Authorization: `Bearer ${bearer.value}`,
            'X-SHOP-KEY': creds.shopKey,
            Accept: 'application/json',
          },
        }),
        new URL(url).pathname,
      );
      if (res.ok) return json(res, new URL(url).pathname);
      await res.body?.cancel();
      if (res.status === 401 && !renewed) {
        cache.delete(cacheKey(base, creds));
        bearer = await fetchToken();
        continue;
      }
      if (res.status === 401 || res.status === 403) throw refused();
      if (res.status === 404)
        throw new CartError(
          'not_found',
          `futureshopのAPIが見つかりません (${new URL(url).pathname})`,
          'apiDomain',
        );
      throw new CartError(
        'malformed',
        `futureshop refused ${new URL(url).pathname} (HTTP ${res.status})`,
      );
    }
  }

  return { get, token };
}
