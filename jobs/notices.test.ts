import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeRepository } from '../db/notices.ts';
import { createLogger } from '../server/logger.ts';
import { insertBot } from '../test/helpers/carts.ts';
import { openTestDb, type TestDb } from '../test/helpers/db.ts';
import { PermanentJobError } from './job.ts';
import { deliverNoticeJob } from './notices.ts';

let testDb: TestDb;
let noticeId: string;
beforeAll(async () => {
  testDb = await openTestDb();
  await insertBot(testDb.db, 'shop');
  const raised = await new NoticeRepository(testDb.db.kysely).raise({
    botId: 'shop',
    kind: 'sync_failed',
    subject: 'c1:orders',
    message: 'the cart did not answer',
  });
  noticeId = raised.notice.id;
});
afterAll(() => testDb.close());

/** The job against a webhook that answers `status`; resolves to what it threw, if anything. */
async function deliverAgainst(status: number): Promise<unknown> {
  const job = deliverNoticeJob({
    db: testDb.db,
    logger: createLogger('error'),
    webhookUrl: 'https://hooks.example.com/services/T000/B000/SECRET',
    fetch: async () => new Response(null, { status }),
    enqueueDelivery: async () => {},
  });
  return job.handle({ noticeId }, { jobId: 'j', signal: new AbortController().signal }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('notice.deliver', () => {
  it('is done on 2xx, retried on 5xx and 429, and fails for good on other 4xx', async () => {
    expect(await deliverAgainst(204)).toBeUndefined();
    for (const status of [500, 503, 429]) {
      const error = await deliverAgainst(status);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(PermanentJobError);
    }
    for (const status of [400, 404, 410])
      expect(await deliverAgainst(status)).toBeInstanceOf(PermanentJobError);
  });

  it('never puts the webhook URL (it carries the chat token) in its errors', async () => {
    const error = (await deliverAgainst(500)) as Error;
    expect(error.message).toBe('the notice webhook answered 500');
  });
});
