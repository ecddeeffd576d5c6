import { describe, expect, it } from 'vitest';
import { BatchLoops, type BatchStep } from './batch-loops.ts';

/** A backlog of `items`, taken `limit` at a time, recording how many steps ran at once. */
function backlog(items: number, stepMs = 5) {
  let left = items;
  let running = 0;
  const seen = { maxConcurrent: 0, steps: 0 };
  const step = async (limit: number): Promise<BatchStep> => {
    running += 1;
    seen.maxConcurrent = Math.max(seen.maxConcurrent, running);
    seen.steps += 1;
    await new Promise((r) => setTimeout(r, stepMs));
    const moved = Math.min(limit, left);
    left -= moved;
    running -= 1;
    return { moved, full: moved === limit };
  };
  return {
    step,
    seen,
    add: (n: number) => (left += n),
    left: () => left,
  };
}

const base = { onError: () => {}, limit: 10, idleMs: 10_000, gatherMs: 1 };

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('BatchLoops', () => {
  it('runs one loop while batches come back partial, and the helpers join on a backlog', async () => {
    const work = backlog(5);
    const loops = new BatchLoops({ ...base, step: work.step, loops: 3 });
    loops.start();
    await until(() => work.left() === 0);
    expect(work.seen.maxConcurrent).toBe(1);

    work.add(500);
    loops.notify();
    await until(() => work.left() === 0);
    await loops.stop();
    expect(work.seen.maxConcurrent).toBe(3);
  });

  it('sleeps when idle until notified, instead of waiting for the next poll', async () => {
    const work = backlog(0);
    const loops = new BatchLoops({ ...base, step: work.step, loops: 1 });
    loops.start();
    await until(() => work.seen.steps === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(work.seen.steps).toBe(1); // idleMs is 10 s: no poll in between
    work.add(3);
    loops.notify();
    await until(() => work.left() === 0);
    await loops.stop();
  });

  it('reports a failing batch and keeps running', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loops = new BatchLoops({
      ...base,
      idleMs: 1,
      loops: 1,
      onError: (error) => errors.push(error),
      step: () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new Error('database gone'))
          : Promise.resolve({ moved: 0, full: false });
      },
    });
    loops.start();
    await until(() => calls >= 3);
    await loops.stop();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('database gone');
  });

  it('stop() waits for the batch in progress, and nothing runs after it', async () => {
    const work = backlog(1_000, 20);
    const loops = new BatchLoops({ ...base, step: work.step, loops: 2 });
    loops.start();
    await until(() => work.seen.steps >= 1);
    await loops.stop();
    const steps = work.seen.steps;
    const left = work.left();
    await new Promise((r) => setTimeout(r, 60));
    expect(work.seen.steps).toBe(steps);
    expect(work.left()).toBe(left);
    expect(left).toBeGreaterThan(0);
  });
});
