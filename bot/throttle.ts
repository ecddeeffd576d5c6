/**
 * Keeps one channel's LINE calls within LINE's per-endpoint rate limits by making callers wait,
 * so a burst (a multicast batch, a bulk rich-menu link) queues up instead of earning 429s.
 *
 * Written here rather than taken from npm: p-throttle has no injectable clock and one limit per
 * instance, and bottleneck has not been released since 2019. This is a sliding-window log: a
 * request may start once the request `requests` places before it is `perMs` old, so no window of
 * `perMs` ever holds more than `requests` starts (a token bucket would allow twice that across a
 * refill). Slots are reserved synchronously, so concurrent callers go in arrival order.
 *
 * The throttle is per process: several workers on one channel can still exceed the limit
 * together. LINE then answers 429 and the sender backs off (line-sender.ts); this only keeps one
 * process from causing that on its own.
 */

/** Requests allowed per window; a bare number means per second. */
export type Rate = number | { requests: number; perMs: number };

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/**
 * LINE's published per-channel limits (research/line-platform.md §2.3), keyed by the endpoint's
 * operationId in messaging-api.yml. Same path with another method is another endpoint.
 */
export const LINE_RATE_LIMITS: Readonly<Record<string, Rate>> = {
  multicast: 200,
  narrowcast: { requests: 60, perMs: HOUR },
  broadcast: { requests: 60, perMs: HOUR },
  showLoadingAnimation: 100,
  createRichMenu: { requests: 100, perMs: HOUR },
  deleteRichMenu: { requests: 100, perMs: HOUR },
  deleteRichMenuAlias: { requests: 100, perMs: HOUR },
  getRichMenuBatchProgress: { requests: 100, perMs: HOUR },
  richMenuBatch: { requests: 3, perMs: HOUR },
  // Bulk link/unlink fall under "other endpoints" in LINE's table (research §2.3), but each is its
  // own endpoint class with its own window, named here so a reassign of 100,000 friends (200
  // calls) is visibly paced apart from single links and pushes.
  linkRichMenuIdToUsers: 2000,
  unlinkRichMenuIdFromUsers: 2000,
};

/** "Other endpoints: 2,000 requests per second" (push, reply, profile, rich-menu links, …). */
export const LINE_DEFAULT_RATE: Rate = 2000;

export interface ThrottleOptions {
  /** Per-endpoint overrides, merged over LINE_RATE_LIMITS (e.g. a stricter limit for one bot). */
  limits?: Readonly<Record<string, Rate>>;
  /** For endpoints not listed; LINE_DEFAULT_RATE unless given. */
  defaultRate?: Rate;
  /** Epoch milliseconds; tests pass a fake clock together with `sleep`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Throttle {
  /** Resolves when a request to `endpoint` (an operationId) may start. */
  acquire(endpoint: string): Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const limits = { ...LINE_RATE_LIMITS, ...options.limits };
  const defaultRate = options.defaultRate ?? LINE_DEFAULT_RATE;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const windows = new Map<string, SlidingWindow>();

  return {
    async acquire(endpoint) {
      let window = windows.get(endpoint);
      if (!window) {
        window = new SlidingWindow(normalize(limits[endpoint] ?? defaultRate));
        windows.set(endpoint, window);
      }
      const t = now();
      const startAt = window.reserve(t);
      if (startAt > t) await sleep(startAt - t);
    },
  };
}

function normalize(rate: Rate): { requests: number; perMs: number } {
  const r = typeof rate === 'number' ? { requests: rate, perMs: SECOND } : rate;
  if (!Number.isInteger(r.requests) || r.requests < 1 || !(r.perMs > 0)) {
    throw new Error(`invalid rate limit ${JSON.stringify(rate)}`);
  }
  return r;
}

/** The start times of the last `requests` requests, as a ring; grants never decrease. */
class SlidingWindow {
  private readonly starts: number[] = [];
  private oldest = 0;

  constructor(private readonly rate: { requests: number; perMs: number }) {}

  /** Books the earliest start at or after `t` that keeps the limit, and returns it. */
  reserve(t: number): number {
    const { requests, perMs } = this.rate;
    if (this.starts.length < requests) {
      // Not full yet: nothing to wait for, but never start before an earlier booking.
      const at = Math.max(t, this.starts.at(-1) ?? t);
      this.starts.push(at);
      return at;
    }
    const at = Math.max(t, this.starts[this.oldest]! + perMs);
    this.starts[this.oldest] = at;
    this.oldest = (this.oldest + 1) % requests;
    return at;
  }
}
