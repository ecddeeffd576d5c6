import { fork, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../jobs/queue.ts';
import { silentLogger } from '../../server/logger.ts';
import { countingJob, createJobRunsTable } from '../helpers/counting-job.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const JOBS = 1000;
let t: TestDb;
const children: ChildProcess[] = [];
const queues: JobQueue[] = [];

beforeAll(async () => {
  t = await openTestDb();
  await createJobRunsTable(t.db);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
  );
  for (const queue of queues) await queue.stop();
  await t.close();
});

async function startWorkers(): Promise<string[]> {
  if (t.url) {
    // PostgreSQL: two separate OS processes, as in production.
    const names = ['worker-a', 'worker-b'];
    for (const name of names) {
      const child = fork(new URL('../helpers/job-worker-process.ts', import.meta.url), {
        env: { ...process.env, DATABASE_URL: t.url, WORKER_NAME: name },
        execArgv: ['--import', 'tsx'],
        stdio: 'inherit',
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
      });
    }
    return names;
  }
  // PGlite is one in-process connection: two independent queues share it, each claiming on its own.
  const names = ['queue-a', 'queue-b'];
  for (const name of names) {
    const queue = new JobQueue({
      db: t.db,
      definitions: [countingJob(t.db, name)],
      logger: silentLogger,
    });
    await queue.start();
    await queue.work();
    queues.push(queue);
  }
  return names;
}

describe(`${JOBS} jobs shared by two workers`, () => {
  it('runs every job exactly once, spread over both workers', async () => {
    const producer = new JobQueue({
      db: t.db,
      definitions: [countingJob(t.db, 'producer')],
      logger: silentLogger,
    });
    await producer.start();
    queues.push(producer);
    // Workers first, so both are polling when the jobs land.
    const names = await startWorkers();
    await producer.sendMany(
      countingJob(t.db, 'producer'),
      Array.from({ length: JOBS }, (_, n) => ({ n })),
    );

    const count = async () =>
      Number(
        (await sql<{ c: string }>`select count(*) as c from job_runs`.execute(t.db.kysely)).rows[0]!
          .c,
      );
    await waitFor(async () => (await count()) >= JOBS, 60_000, 100);
    // Give a duplicate (a job claimed twice) the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));

    const totals = await sql<{ runs: string; distinct_jobs: string }>`
      select count(*) as runs, count(distinct n) as distinct_jobs from job_runs`.execute(
      t.db.kysely,
    );
    expect(Number(totals.rows[0]!.runs)).toBe(JOBS);
    expect(Number(totals.rows[0]!.distinct_jobs)).toBe(JOBS);

    const perWorker = await sql<{ worker: string; runs: string }>`
      select worker, count(*) as runs from job_runs group by worker`.execute(t.db.kysely);
    const byWorker = Object.fromEntries(perWorker.rows.map((r) => [r.worker, Number(r.runs)]));
    expect(names).toEqual(expect.arrayContaining(Object.keys(byWorker)));
    if (t.url) {
      // Separate processes on PostgreSQL really share the load. (On PGlite's single connection one
      // queue's burst loop may take every batch; exactly-once is what matters there.)
      for (const name of names) expect(byWorker[name] ?? 0).toBeGreaterThan(0);
    }

    const states = await sql<{ state: string; c: string }>`
      select state, count(*) as c from pgboss.job where name = 'test-count' group by state`.execute(
      t.db.kysely,
    );
    expect(states.rows.map((r) => [r.state, Number(r.c)])).toEqual([['completed', JOBS]]);
  });
});
