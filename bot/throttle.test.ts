import { describe, expect, it } from 'vitest';
import { createThrottle, type ThrottleOptions } from './throttle.ts';

/** A clock that moves only when the test says so; sleepers wake in time order. */
function manualClock() {
  let t = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: t + ms, wake })),
    /** Runs time forward to `to`, waking every sleeper due on the way at its own time. */
    async runTo(to: number) {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > to) break;
        sleepers.shift();
        t = next.at;
        next.wake();
      }
      t = to;
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** Fires `n` acquires at once and records when each was let through. */
function burst(
  options: ThrottleOptions,
  endpoint: string,
  n: number,
  clock: ReturnType<typeof manualClock>,
) {
  const throttle = createThrottle({ now: clock.now, sleep: clock.sleep, ...options });
  const starts: number[] = [];
  for (let i = 0; i < n; i++) void throttle.acquire(endpoint).then(() => starts.push(clock.now()));
  return { throttle, starts };
}

/** The most starts that fall in any window [s, s + perMs). */
function busiestWindow(starts: number[], perMs: number): number {
  return Math.max(...starts.map((s) => starts.filter((x) => x >= s && x < s + perMs).length));
}

describe('throttle', () => {
  it('lets a configured number through per window and makes the rest wait, in order', async () => {
    const clock = manualClock();
    const { starts } = burst(
      { limits: { pushMessage: { requests: 5, perMs: 1000 } } },
      'pushMessage',
      12,
      clock,
    );
    await clock.runTo(0);
    expect(starts).toEqual([0, 0, 0, 0, 0]);
    await clock.runTo(999);
    expect(starts).toHaveLength(5);
    await clock.runTo(5000);
    expect(starts).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
    expect(busiestWindow(starts, 1000)).toBe(5);
  });

  it('keeps a steady stream under the limit in every sliding window, not just fixed ones', async () => {
    const clock = manualClock();
    const throttle = createThrottle({
      limits: { multicast: 4 },
      now: clock.now,
      sleep: clock.sleep,
    });
    const starts: number[] = [];
    // Callers arrive every 150 ms for 3 s, some in pairs: faster than 4/s on average.
    for (let at = 0; at < 3000; at += 150) {
      await clock.runTo(at);
      const n = at % 300 === 0 ? 2 : 1;
      for (let i = 0; i < n; i++)
        void throttle.acquire('multicast').then(() => starts.push(clock.now()));
    }
    await clock.runTo(20_000);
    expect(starts).toHaveLength(30);
    expect(busiestWindow(starts, 1000)).toBe(4);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('uses LINE’s published limits by default: multicast 200/s, push 2,000/s', async () => {
    const clock = manualClock();
    const multicast = burst({}, 'multicast', 201, clock);
    const push = burst({}, 'pushMessage', 2001, clock);
    await clock.runTo(999);
    expect(multicast.starts).toHaveLength(200);
    expect(push.starts).toHaveLength(2000);
    await clock.runTo(1000);
    expect(multicast.starts.at(-1)).toBe(1000);
    expect(push.starts.at(-1)).toBe(1000);
  });

  it('limits each endpoint on its own', async () => {
    const clock = manualClock();
    const throttle = createThrottle({
      limits: { pushMessage: 1 },
      defaultRate: 1,
      now: clock.now,
      sleep: clock.sleep,
    });
    const order: string[] = [];
    for (const op of ['pushMessage', 'pushMessage', 'getProfile']) {
      void throttle.acquire(op).then(() => order.push(`${op}@${clock.now()}`));
    }
    await clock.runTo(1000);
    expect(order).toEqual(['pushMessage@0', 'getProfile@0', 'pushMessage@1000']);
  });

  it('takes hourly limits (broadcast 60/h)', async () => {
    const clock = manualClock();
    const { starts } = burst({}, 'broadcast', 61, clock);
    await clock.runTo(3_599_999);
    expect(starts).toHaveLength(60);
    await clock.runTo(3_600_000);
    expect(starts.at(-1)).toBe(3_600_000);
  });

  it('refuses a nonsensical limit', async () => {
    const throttle = createThrottle({ limits: { pushMessage: 0 } });
    await expect(throttle.acquire('pushMessage')).rejects.toThrow(/invalid rate limit/);
  });
});
