// Shared by carts that allow one request per second per shop (makeshop across all its APIs,
// 楽楽リピート): a pacer that runs a shop's requests one at a time, spaced on the sync's own clock,
// and a retry loop for 429/5xx/timeouts. Both use ctx.sleep/ctx.now so tests run on a virtual
// clock while the fakes check the spacing on that same clock.
import { CartError, type ConnectorContext } from './connector.ts';

export interface Pacer {
  /** Runs `send` once every earlier request of `shop` has finished and `intervalMs` has passed. */
  run<T>(shop: string, ctx: ConnectorContext<unknown>, send: () => Promise<T>): Promise<T>;
}

/**
 * The carts count requests per shop, whatever sync sends them: one pacer per connector instance,
 * keyed by shop, so a customers sync and an orders sync of one shop running at once in one
 * process still queue behind each other. Syncs in other processes are not seen (see the README).
 */
export function createPacer(intervalMs: number): Pacer {
  const shops = new Map<string, { last: number | null; tail: Promise<unknown> }>();
  return {
    run<T>(shop: string, ctx: ConnectorContext<unknown>, send: () => Promise<T>): Promise<T> {
      const state = shops.get(shop) ?? { last: null, tail: Promise.resolve() };
      shops.set(shop, state);
      const turn = state.tail.then(async () => {
        if (state.last !== null && intervalMs > 0) {
          const wait = state.last + intervalMs - ctx.now().getTime();
          // A wait longer than the interval means another clock (a test's, or a clock set back):
          // the earlier request is not on this one's time line, so it does not hold this one.
          if (wait > 0 && wait <= intervalMs) await ctx.sleep(wait);
        }
        state.last = ctx.now().getTime();
        return send();
      });
      state.tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

export function retryAfterMs(header: string | null, now: Date): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

export interface RetryOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** The cart's name in messages: "makeshop", "楽楽リピート". */
  cart: string;
}

/** What one answer means: done, or a failure that is retried (after `waitMs` if the cart said). */
export type Verdict<T> =
  { ok: true; value: T } | { ok: false; error: CartError; retry: boolean; waitMs?: number | null };

/**
 * Sends (through the pacer, so every try is paced) until `judge` accepts, the failure is final,
 * or maxAttempts tries failed. Network errors and timeouts count as `unavailable` and are retried.
 */
export async function withRetries<T>(
  ctx: ConnectorContext<unknown>,
  { timeoutMs, maxAttempts, cart }: RetryOptions,
  send: (signal: AbortSignal) => Promise<Response>,
  judge: (res: Response, body: string) => Verdict<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const timer = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
    let failure: CartError;
    let wait: number | null = null;
    try {
      const res = await send(signal);
      const verdict = judge(res, await res.text());
      if (verdict.ok) return verdict.value;
      if (!verdict.retry) throw verdict.error;
      failure = verdict.error;
      wait = verdict.waitMs ?? null;
    } catch (e) {
      if (e instanceof CartError) throw e;
      if (ctx.signal?.aborted) throw e;
      failure = new CartError(
        'unavailable',
        timer.aborted
          ? `${cart}が${timeoutMs / 1000}秒以内に応答しませんでした`
          : `${cart}に接続できません`,
        undefined,
        { cause: e },
      );
    }
    if (attempt >= maxAttempts) throw failure;
    await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
  }
}

/** The usual reading of an HTTP status; `auth` is the error for 401/403. */
export function statusVerdict(
  res: Response,
  cart: string,
  auth: () => CartError,
  now: Date,
): Verdict<never> | null {
  if (res.ok) return null;
  if (res.status === 401 || res.status === 403) return { ok: false, error: auth(), retry: false };
  if (res.status === 429)
    return {
      ok: false,
      error: new CartError('rate_limited', `${cart}のAPI利用制限に達しました`),
      retry: true,
      waitMs: retryAfterMs(res.headers.get('retry-after'), now),
    };
  if (res.status >= 500)
    return {
      ok: false,
      error: new CartError('unavailable', `${cart}が応答できません (HTTP ${res.status})`),
      retry: true,
    };
  return null;
}
