// A worker process for the multi-process queue test: claims `test-count` jobs from DATABASE_URL
// until it is sent SIGTERM.
import { createDb } from '../../db/index.ts';
import { JobQueue } from '../../jobs/queue.ts';
import { silentLogger } from '../../server/logger.ts';
import { countingJob } from './counting-job.ts';

const url = process.env.DATABASE_URL;
const name = process.env.WORKER_NAME ?? `pid-${process.pid}`;
if (!url) throw new Error('DATABASE_URL is required');
const db = await createDb({ kind: 'postgres', url, poolSize: 4 });
const queue = new JobQueue({ db, definitions: [countingJob(db, name)], logger: silentLogger });
await queue.start();
await queue.work();
process.send?.('ready');
process.on('SIGTERM', () => {
  void queue
    .stop()
    .then(() => db.close())
    .then(() => process.exit(0));
});
