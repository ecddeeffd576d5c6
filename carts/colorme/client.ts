// One sync's requests to the カラーミーショップ API: the shop's Bearer token, requests spaced to keep
// under the 120-per-minute guideline, retries with backoff on 429/5xx/timeouts, and errors in a
// shop's words. Assumptions: top of ../colorme.ts.
import { CartError, type ConnectorContext } from '../connector.ts';
import { retryAfterMs } from '../paced.ts';
import { BASE_URL, listResponse } from './wire.ts';

export interface ColormeCredentials {
  accessToken: string;
}

export interface ClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** Least time between two requests: 500 ms keeps to 120 a minute. */
  minIntervalMs: number;
}

/**
 * When each token may next send, shared by every sync of one connector: the guideline counts
 * per access token, so a customers sync and a sales sync of one shop share its 120 a minute.
 */
export type Slots = Map<string, number>;

export function session(
  ctx: ConnectorContext<ColormeCredentials>,
  { timeoutMs, maxAttempts, minIntervalMs }: ClientOptions,
  slots: Slots,
  connecting = false,
) {
  const base = (ctx.baseUrl ?? BASE_URL).replace(/\/+$/, '');
  const headers = {
    Authorization: `Bearer ${ctx.credentials.accessToken}`,
    Accept: 'application/json',
  };
  const token = ctx.credentials.accessToken;

  /** Takes the token's next free slot before waiting, so concurrent syncs queue, not collide. */
  async function pace(): Promise<void> {
    const now = ctx.now().getTime();
    const slot = Math.max(now, slots.get(token) ?? now);
    slots.set(token, slot + minIntervalMs);
    if (slot > now) await ctx.sleep(slot - now);
  }

  async function get(path: string, params: URLSearchParams): Promise<unknown> {
    const url = `${base}${path}?${params.toString()}`;
    for (let attempt = 1; ; attempt++) {
      await pace();
      let failure: CartError;
      let wait: number | null = null;
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
      try {
        const res = await ctx.fetch(url, { headers, signal });
        if (res.ok) {
          try {
            return await res.json();
          } catch (e) {
            if (timer.aborted) throw e;
            throw new CartError(
              'malformed',
              `カラーミー answered ${path} with invalid JSON`,
              undefined,
              {
                cause: e,
              },
            );
          }
        }
        await res.body?.cancel();
        if (res.status === 401)
          throw connecting
            ? new CartError(
                'bad_credentials',
                'カラーミーショップがアクセストークンを受け付けません',
                'accessToken',
              )
            : new CartError(
                'revoked',
                'カラーミーショップがアクセストークンを拒否しました。アプリの連携をやり直してください',
              );
        if (res.status === 403)
          throw new CartError(
            'bad_credentials',
            'アクセストークンに受注・顧客データの参照権限 (read_sales) がありません',
            'accessToken',
          );
        if (res.status === 429) {
          failure = new CartError('rate_limited', 'カラーミーショップのAPI利用制限に達しました');
          wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
        } else if (res.status >= 500) {
          failure = new CartError(
            'unavailable',
            `カラーミーショップが応答できません (HTTP ${res.status})`,
          );
        } else if (res.status === 404) {
          throw new CartError('not_found', `カラーミーショップのAPIが見つかりません (${path})`);
        } else {
          throw new CartError('malformed', `カラーミー refused ${path} (HTTP ${res.status})`);
        }
      } catch (e) {
        if (e instanceof CartError) throw e;
        if (ctx.signal?.aborted) throw e;
        failure = new CartError(
          'unavailable',
          timer.aborted
            ? `カラーミーショップが${timeoutMs / 1000}秒以内に応答しませんでした`
            : 'カラーミーショップに接続できません',
          undefined,
          { cause: e },
        );
      }
      if (attempt >= maxAttempts) throw failure;
      await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }

  /** One page of a list: its raw records and the total the filter matches. */
  async function list(path: string, key: 'customers' | 'sales', params: URLSearchParams) {
    const doc = listResponse.safeParse(await get(path, params));
    const records = doc.success ? doc.data[key] : undefined;
    if (!doc.success || !records)
      throw new CartError('malformed', `カラーミー ${path}: not a list answer`);
    return { records, total: doc.data.meta.total };
  }

  return { get, list };
}
