// One sync's requests to 楽楽リピート's order search API, and the OAuth2 code exchange that gets
// its access token. Every request goes through the shop's pacer (one request per second, serial).
// Assumptions: top of ../rakuraku.ts.
import { CartError, type ConnectorContext, type SkippedRecord } from '../connector.ts';
import { statusVerdict, withRetries, type Pacer, type Verdict } from '../paced.ts';
import type { WindowAnswer } from '../windows.ts';
import { formatTime, sale, searchResponse, tokenResponse, type Sale } from './wire.ts';

export interface RakurakuCredentials {
  /** The shop's 楽楽リピート domain (its URL's host), e.g. shop.example.jp. */
  domain: string;
  clientId: string;
  clientSecret: string;
  /** From the OAuth2 authorization (about monthly, 楽楽リピート asks to authorize again). */
  accessToken: string;
}

export interface ClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** At most 500 results per search. */
  pageSize: number;
}

const CART = '楽楽リピート';
export const baseOf = (domain: string, override?: string) =>
  (override ?? `https://${domain.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}`).replace(
    /\/+$/,
    '',
  );

const tokenRefused = () =>
  new CartError(
    'bad_credentials',
    '楽楽リピートがアクセストークンを受け付けません。連携の認証処理 (月1回程度必要です) をやり直してください',
    'accessToken',
  );

function readJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function session(
  ctx: ConnectorContext<RakurakuCredentials>,
  pacer: Pacer,
  options: ClientOptions,
) {
  const base = baseOf(ctx.credentials.domain, ctx.baseUrl);
  const retry = { timeoutMs: options.timeoutMs, maxAttempts: options.maxAttempts, cart: CART };

  /** Sales updated in [start, end]: one search; more than a page found means "split me". */
  async function sales(start: number, end: number): Promise<WindowAnswer<Sale>> {
    const q = new URLSearchParams({
      update_date_min: formatTime(start),
      update_date_max: formatTime(end),
      limit: String(options.pageSize),
      offset: '0',
    });
    const doc = await withRetries(
      ctx,
      retry,
      (signal) =>
        pacer.run(ctx.credentials.domain, ctx, () =>
          ctx.fetch(`${base}/api/v1/sales.json?${q}`, {
            headers: {
              Authorization: `Bearer ${ctx.credentials.accessToken}`,
              Accept: 'application/json',
            },
            signal,
          }),
        ),
      (res, body): Verdict<{ sales: unknown[]; total: number }> => {
        const failed = statusVerdict(res, CART, tokenRefused, ctx.now());
        if (failed) return failed;
        if (res.status === 404)
          return {
            ok: false,
            retry: false,
            error: new CartError(
              'not_found',
              `楽楽リピートのAPIが見つかりません (${base})`,
              'domain',
            ),
          };
        const parsed = searchResponse.safeParse(readJson(body));
        if (!res.ok || !parsed.success)
          return {
            ok: false,
            retry: false,
            error: new CartError(
              'malformed',
              `楽楽リピート answered the search with HTTP ${res.status} and an unreadable body`,
            ),
          };
        return { ok: true, value: { sales: parsed.data.sales, total: parsed.data.meta.total } };
      },
    );
    if (doc.total > options.pageSize) return { records: [], skipped: [], full: true };
    const records: Sale[] = [];
    const skipped: SkippedRecord[] = [];
    for (const raw of doc.sales) {
      const parsed = sale.safeParse(raw);
      if (parsed.success) records.push(parsed.data);
      else {
        const id = (raw as { id?: unknown } | null)?.id;
        skipped.push({
          externalId: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
          reason: `unreadable order: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
        });
      }
    }
    return { records, skipped, full: false };
  }

  return { sales };
}

/** The page where the shop authorizes Kizuna (OAuth2 authorization code; `scope` is reserved). */
export function authorizeUrl(
  domain: string,
  clientId: string,
  redirectUri: string,
  state: string,
): string {
  const q = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    state,
  });
  return `${baseOf(domain)}/api/oauth/authorize.php?${q}`;
}

/** Exchanges the authorization code for an access token (token endpoint assumed: token.php). */
export async function exchangeCode(
  input: {
    domain: string;
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri: string;
    baseUrl?: string;
  },
  fetcher: typeof fetch,
): Promise<string> {
  const res = await fetcher(`${baseOf(input.domain, input.baseUrl)}/api/oauth/token.php`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      client_id: input.clientId,
      client_secret: input.clientSecret,
    }),
  });
  const parsed = tokenResponse.safeParse(readJson(await res.text()));
  if (res.status === 400 || res.status === 401)
    throw new CartError(
      'bad_credentials',
      '楽楽リピートが認可コードまたはクライアントID・シークレットIDを受け付けません',
      'clientSecret',
    );
  if (!res.ok || !parsed.success)
    throw new CartError(
      res.status >= 500 ? 'unavailable' : 'malformed',
      `楽楽リピートのトークン発行に失敗しました (HTTP ${res.status})`,
    );
  return parsed.data.access_token;
}
