// Per channel, per endpoint rate limits, as LINE applies them (same path + other method = other
// endpoint; parameters and body do not matter). A fixed window keeps the behaviour predictable
// under an injected clock: N requests at one instant pass, the N+1th gets 429.
import type { EndpointClass, RateLimit } from './types.ts';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

// LINE's published limits (reference "Rate limits"); everything not listed is 2,000/s.
export const DEFAULT_RATE_LIMITS: Partial<Record<EndpointClass, RateLimit>> = {
  multicast: 200,
  narrowcast: { requests: 60, perMs: HOUR },
  broadcast: { requests: 60, perMs: HOUR },
  createRichMenu: { requests: 100, perMs: HOUR },
  deleteRichMenu: { requests: 100, perMs: HOUR },
  deleteRichMenuAlias: { requests: 100, perMs: HOUR },
};
const OTHERS: RateLimit = 2000;

export function createRateLimiter(
  overrides: Partial<Record<EndpointClass, RateLimit>>,
  now: () => number,
) {
  const windows = new Map<string, { start: number; count: number }>();
  const limitOf = (op: EndpointClass) => {
    const l = overrides[op] ?? DEFAULT_RATE_LIMITS[op] ?? OTHERS;
    return typeof l === 'number' ? { requests: l, perMs: SECOND } : l;
  };
  return {
    /** Counts the request; false when it is over the limit. */
    take(channelId: string, op: EndpointClass): boolean {
      const { requests, perMs } = limitOf(op);
      const key = `${channelId}|${op}`;
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= perMs) {
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return w.count <= requests;
    },
    reset: () => windows.clear(),
  };
}
