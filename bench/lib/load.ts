import { fork } from 'node:child_process';
import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Acknowledgement latencies in ms, sorted ascending. */
  latencies: Float64Array;
  statuses: Record<number, number>;
}

/**
 * A closed-loop HTTP load generator: `concurrency` workers each send a request, wait for the
 * answer, and send the next, until `seconds` have passed or `maxRequests` were sent.
 */
export async function runLoad(options: {
  url: string;
  path: string;
  concurrency: number;
  seconds: number;
  maxRequests?: number;
  request: (n: number) => { body: string; headers: Record<string, string> };
}): Promise<LoadResult> {
  const origin = new URL(options.url).origin;
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;

  const worker = async () => {
    while (performance.now() < deadline && sent < max) {
      const n = sent++;
      const { body, headers } = options.request(n);
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: options.path, body, headers });
        await res.body.dump();
        latencies.push(performance.now() - t0);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return {
    requests: latencies.length,
    errors,
    seconds,
    latencies: Float64Array.from(latencies).sort(),
    statuses,
  };
}

/**
 * An open-loop load generator: requests are sent at a fixed `rate` per second for `seconds`,
 * whether or not earlier ones were answered (LINE does not wait either). Latency is measured from
 * each request's scheduled time, so a stall is counted in full rather than hidden by sending less.
 */
export async function runOpenLoad(options: {
  url: string;
  path: string;
  rate: number;
  seconds: number;
  request: (n: number) => { body: string; headers: Record<string, string> };
}): Promise<LoadResult> {
  const origin = new URL(options.url).origin;
  const pool = new Pool(origin, { connections: 256, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const started = performance.now();
  const send = (n: number, scheduled: number) => {
    const { body, headers } = options.request(n);
    const p = pool
      .request({ method: 'POST', path: options.path, body, headers })
      .then(async (res) => {
        await res.body.dump();
        latencies.push(performance.now() - scheduled);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode !== 200) errors++;
      })
      .catch(() => void errors++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  for (let n = 0; n < total;) {
    const now = performance.now();
    // Everything due by now goes out at once (a late timer never lowers the offered rate).
    for (; n < total && started + n * interval <= now; n++) send(n, started + n * interval);
    await new Promise((r) =>
      setTimeout(r, Math.max(0, started + n * interval - performance.now())),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return {
    requests: latencies.length,
    errors,
    seconds,
    latencies: Float64Array.from(latencies).sort(),
    statuses,
  };
}

/**
 * runOpenLoad in a child process, given its requests up front. Latency is measured from each
 * request's scheduled time, so a pause of the generator itself counts as the server's; a
 * benchmark process that also holds large prebuilt data and fakes has garbage-collection pauses
 * of tens of milliseconds, which a small process of its own does not.
 */
export async function runOpenLoadApart(options: {
  url: string;
  path: string;
  rate: number;
  seconds: number;
  requests: Array<{ body: string; headers: Record<string, string> }>;
}): Promise<LoadResult> {
  const child = fork(new URL('./open-load-child.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
  });
  try {
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('error', reject);
    });
    const result = await new Promise<Omit<LoadResult, 'latencies'> & { latencies: number[] }>(
      (resolve, reject) => {
        child.once('message', resolve as (m: unknown) => void);
        child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
        child.send({ ...options });
      },
    );
    return { ...result, latencies: Float64Array.from(result.latencies) };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One figure line: `<name> <metric>=<value><unit> target=<target> PASS|FAIL`. */
export function report(
  name: string,
  metric: string,
  value: number,
  unit: string,
  target: string,
  pass: boolean,
): boolean {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0);
  console.log(`${name} ${metric}=${shown}${unit} target=${target} ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}

export const scale = (): number => {
  const value = Number(process.env.BENCH_SCALE ?? '1');
  return Number.isFinite(value) && value > 0 ? value : 1;
};
