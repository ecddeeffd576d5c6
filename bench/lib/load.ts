import { fork, type ChildProcess } from 'node:child_process';
import { Pool } from 'undici';
import { cpuMeter } from './cpu.ts';
import { RawHttpPool } from './raw-http.ts';

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
  request: (n: number) => { body: string | Uint8Array; headers: Record<string, string> };
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
 * Requests go through RawHttpPool, so that the generator takes as little CPU as it can from the
 * machine it shares with the processes being measured.
 */
export async function runOpenLoad(options: {
  url: string;
  path: string;
  rate: number;
  seconds: number;
  request: (n: number) => { body: string | Uint8Array; headers: Record<string, string> };
}): Promise<LoadResult> {
  const url = new URL(options.url);
  const pool = new RawHttpPool(url.hostname, Number(url.port), 256);
  const requestLine = `POST ${options.path} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const started = performance.now();
  const send = (n: number, scheduled: number) => {
    const { body, headers } = options.request(n);
    let head = requestLine;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const p = pool
      .post(head, typeof body === 'string' ? Buffer.from(body) : body)
      .then((status) => {
        latencies.push(performance.now() - scheduled);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200) errors++;
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
  pool.close();
  return {
    requests: latencies.length,
    errors,
    seconds,
    latencies: Float64Array.from(latencies).sort(),
    statuses,
  };
}

/** Prebuilt requests, packed: bodies back to back (cut by offsets), signatures back to back. */
export interface RequestPool {
  bodies: Uint8Array;
  offsets: Uint32Array;
  signatures: Uint8Array;
}

export const SIGNATURE_LENGTH = 44; // base64 of an HMAC-SHA256

/** What the parent asks of bench/lib/load-child.ts. */
export type LoadJob =
  | { type: 'pool'; pool: RequestPool }
  | {
      type: 'closed';
      url: string;
      path: string;
      concurrency: number;
      seconds: number;
      maxRequests: number;
      from: number;
      wrap: boolean;
    }
  | { type: 'open'; url: string; path: string; rate: number; seconds: number; from: number };

/**
 * The load generators (closed and open loop) in a child process of their own, given a pool of
 * prebuilt requests once: latency is measured from the generator's clock, so its own pauses
 * count as the server's, and a benchmark process that holds large prebuilt data and fakes pauses
 * for tens of milliseconds in garbage collection. Requests are used by index: closed loops from
 * `from` on (or cycling through the pool), the open loop from `from` on.
 */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(requests: Array<{ body: string; signature: string }>): Promise<LoadGenerator> {
    const child = fork(new URL('./load-child.ts', import.meta.url), {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
    });
    const generator = new LoadGenerator(child);
    await generator.call(null);
    const bodies = requests.map((r) => Buffer.from(r.body));
    const offsets = new Uint32Array(requests.length + 1);
    for (let i = 0; i < bodies.length; i++) offsets[i + 1] = offsets[i]! + bodies[i]!.length;
    const signatures = Buffer.from(requests.map((r) => r.signature).join(''), 'latin1');
    if (signatures.length !== requests.length * SIGNATURE_LENGTH)
      throw new Error('every signature must be base64 of an HMAC-SHA256');
    await generator.call({
      type: 'pool',
      pool: { bodies: Buffer.concat(bodies), offsets, signatures },
    });
    return generator;
  }

  closed(job: Omit<Extract<LoadJob, { type: 'closed' }>, 'type'>): Promise<LoadResult> {
    return this.call({ type: 'closed', ...job }) as Promise<LoadResult>;
  }

  open(job: Omit<Extract<LoadJob, { type: 'open' }>, 'type'>): Promise<LoadResult> {
    return this.call({ type: 'open', ...job }) as Promise<LoadResult>;
  }

  get pid(): number {
    return this.child.pid!;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill();
  }

  /** Sends a job (none: waits for the child to start) and resolves to its result. */
  private call(job: LoadJob | null): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
        this.child.off('exit', onExit);
        if (m.ok) resolve(m.result);
        else reject(new Error(m.error));
      });
      if (job) this.child.send(job);
    });
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

export interface Measured {
  result: LoadResult;
  cpu: Record<string, number | null>;
}

/** Runs a load and meters the CPU of the named parts meanwhile. */
export async function measured(
  parts: Record<string, () => number | null>,
  load: () => Promise<LoadResult>,
): Promise<Measured> {
  const meter = cpuMeter(parts);
  const result = await load();
  return { result, cpu: meter.since() };
}

/** Several rounds as one: requests, time, errors and CPU added up, latencies merged. */
export function combine(runs: Measured[]): Measured {
  const cpu: Record<string, number | null> = {};
  for (const run of runs)
    for (const [k, v] of Object.entries(run.cpu))
      cpu[k] = v === null || cpu[k] === null ? null : (cpu[k] ?? 0) + v;
  const statuses: Record<number, number> = {};
  for (const run of runs)
    for (const [k, v] of Object.entries(run.result.statuses))
      statuses[Number(k)] = (statuses[Number(k)] ?? 0) + v;
  const latencies = Float64Array.from(runs.flatMap((r) => Array.from(r.result.latencies))).sort();
  return {
    result: {
      requests: runs.reduce((n, r) => n + r.result.requests, 0),
      errors: runs.reduce((n, r) => n + r.result.errors, 0),
      seconds: runs.reduce((n, r) => n + r.result.seconds, 0),
      latencies,
      statuses,
    },
    cpu,
  };
}
