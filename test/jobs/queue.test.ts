import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, InvalidJobPayloadError } from '../../jobs/job.ts';
import { JobQueue } from '../../jobs/queue.ts';
import { silentLogger } from '../../server/logger.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

let t: TestDb;
let queue: JobQueue;
const seen: string[] = [];
let flakyAttempts = 0;

const record = defineJob({
  name: 'test-record',
  payload: z.object({ value: z.string() }),
  handle: async ({ value }) => {
    seen.push(value);
  },
});
const flaky = defineJob({
  name: 'test-flaky',
  payload: z.object({ failTimes: z.number() }),
  retryDelaySeconds: 1,
  retryLimit: 3,
  handle: async ({ failTimes }) => {
    flakyAttempts += 1;
    if (flakyAttempts <= failTimes) throw new Error(`attempt ${flakyAttempts} fails`);
    seen.push(`flaky ok after ${flakyAttempts}`);
  },
});

beforeAll(async () => {
  t = await openTestDb();
  queue = new JobQueue({ db: t.db, definitions: [record, flaky], logger: silentLogger });
  await queue.start();
});
afterAll(async () => {
  await queue.stop();
  await t.close();
});

describe('the job queue', () => {
  it('refuses a payload that breaks its schema at send time', async () => {
    await expect(queue.send(record, { value: 42 } as never)).rejects.toBeInstanceOf(
      InvalidJobPayloadError,
    );
  });

  it('runs due jobs when stepped by hand (the Workers path)', async () => {
    await queue.sendMany(record, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    expect(await queue.runDue(10)).toBe(3);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(await queue.runDue(10)).toBe(0);
  });

  it('enqueues inside a transaction: a rolled-back transaction leaves no job', async () => {
    seen.length = 0;
    await t.db.kysely
      .transaction()
      .execute(async (trx) => {
        await queue.send(record, { value: 'rolled back' }, { trx });
        throw new Error('abort');
      })
      .catch(() => {});
    await t.db.kysely.transaction().execute(async (trx) => {
      await queue.send(record, { value: 'committed' }, { trx });
    });
    await queue.runDue(10);
    expect(seen).toEqual(['committed']);
  });

  it('retries a failing job and then completes it', async () => {
    seen.length = 0;
    await queue.work();
    await queue.send(flaky, { failTimes: 2 });
    await waitFor(() => seen.includes('flaky ok after 3'), 20_000);
    expect(flakyAttempts).toBe(3);
    // pg-boss marks the job completed just after the handler returns: wait for that write.
    const states = async () =>
      (
        await sql<{
          state: string;
        }>`select state from pgboss.job where name = 'test-flaky'`.execute(t.db.kysely)
      ).rows.map((r) => r.state);
    await waitFor(async () => (await states()).every((s) => s !== 'active'), 10_000);
    expect(await states()).toEqual(['completed']);
  });
});
