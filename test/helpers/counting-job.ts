import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { defineJob } from '../../jobs/job.ts';

/** A job that records every run in `job_runs`, so a test can count runs per job and per worker. */
export function countingJob(db: Db, worker: string) {
  return defineJob({
    name: 'test-count',
    payload: z.object({ n: z.number().int() }),
    batchSize: 50,
    concurrency: 2,
    handle: async ({ n }) => {
      // A job takes a moment, as real ones do: 1,000 instant jobs could all be drained by whichever
      // worker polls first before the other's next poll, and the test of sharing would be luck.
      await new Promise((resolve) => setTimeout(resolve, 3));
      await sql`insert into job_runs (n, worker) values (${n}, ${worker})`.execute(db.kysely);
    },
  });
}

export async function createJobRunsTable(db: Db): Promise<void> {
  await sql`create table if not exists job_runs (n int not null, worker text not null)`.execute(
    db.kysely,
  );
}
