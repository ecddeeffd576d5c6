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
