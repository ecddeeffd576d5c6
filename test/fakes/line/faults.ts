// Injected faults, consumed in the order they were injected: the first fault that matches a
// request takes it, `times` requests in all.
import { errors } from './errors.ts';
import { createHangs } from '../hang.ts';
import type { Fault } from './types.ts';

const defaultBodies: Record<number, unknown> = {
  400: errors.body([]),
  401: errors.badToken,
  // What the follower-ids API answers an account that may not use it (unverified accounts).
  403: { message: 'Access to this API is not available for your account' },
  429: errors.rateLimit,
  500: errors.internal,
  503: errors.unavailable,
};

export function createFaults() {
  const queue: Array<Fault & { left: number }> = [];
  const hangs = createHangs();

  return {
    inject(fault: Fault) {
      queue.push({ ...fault, left: fault.times ?? 1 });
    },
    take(method: string, path: string): Fault | undefined {
      const i = queue.findIndex(
        (f) =>
          (f.method === undefined || f.method.toUpperCase() === method) &&
          (f.path === undefined ||
            (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
      );
      if (i < 0) return undefined;
      const f = queue[i]!;
      if (--f.left <= 0) queue.splice(i, 1);
      return f;
    },
    /** Waits out the fault's timeout; Infinity waits until release(). */
    async hang(fault: Fault): Promise<void> {
      await hangs.hang(fault.timeoutMs);
    },
    /** Status and body the fault answers with; undefined = a slow but normal answer. */
    answer(fault: Fault): { status: number; body: unknown } | undefined {
      const status = fault.status ?? (fault.timeoutMs === undefined ? 500 : undefined);
      if (status === undefined) return undefined;
      return { status, body: fault.body ?? defaultBodies[status] };
    },
    /** Lets every hanging request go (close/reset), so no promise outlives the fake. */
    release() {
      hangs.release();
    },
    clear() {
      queue.length = 0;
    },
    get pending() {
      return queue.length;
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
