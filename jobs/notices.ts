import { z } from 'zod';
import { noticeText, type NoticeKind } from '../crm/notice.ts';
import type { Db } from '../db/index.ts';
import { NoticeRepository } from '../db/notices.ts';
import type { Logger } from '../server/logger.ts';
import { defineJob, PermanentJobError, type JobDefinition } from './job.ts';

export interface NoticeDeps {
  db: Db;
  logger: Logger;
  fetch: typeof fetch;
  /** Where new notices are POSTed (a Slack-compatible incoming webhook, or any JSON endpoint). */
  webhookUrl?: string | undefined;
  /** Enqueues the delivery of a new notice (set once the queue exists). */
  enqueueDelivery(noticeId: string): Promise<void>;
}

/** Raises and clears notices; a new one is also sent to the notice webhook when one is set. */
export class Notifier {
  private readonly notices: NoticeRepository;

  constructor(private readonly deps: NoticeDeps) {
    this.notices = new NoticeRepository(deps.db.kysely);
  }

  async raise(input: {
    botId: string;
    kind: NoticeKind;
    subject: string;
    message: string;
  }): Promise<void> {
    const { notice, created } = await this.notices.raise(input);
    if (created && this.deps.webhookUrl) await this.deps.enqueueDelivery(notice.id);
  }

  recovered(botId: string, kind: NoticeKind, subject: string): Promise<void> {
    return this.notices.recovered(botId, kind, subject);
  }
}

const payload = z.object({ noticeId: z.string() });

/**
 * Sends one new notice to the configured webhook as `{ text, notice }`: `text` is what a chat
 * webhook (Slack, Discord's Slack-compatible endpoint, ...) displays. The endpoint down or
 * answering 5xx/429 is retried; any other 4xx is a wrong URL that no retry mends.
 */
export function deliverNoticeJob(deps: NoticeDeps): JobDefinition<z.infer<typeof payload>> {
  return defineJob({
    name: 'notice.deliver',
    payload,
    retryLimit: 8,
    retryDelaySeconds: 30,
    handle: async ({ noticeId }) => {
      const url = deps.webhookUrl;
      if (!url) return; // unset since the notice was raised
      const notice = await deps.db.kysely
        .selectFrom('notices')
        .selectAll()
        .where('id', '=', noticeId)
        .executeTakeFirst();
      if (!notice) return;
      const body = {
        text: noticeText({
          botId: notice.bot_id,
          kind: notice.kind as NoticeKind,
          message: notice.message,
        }),
        notice: {
          id: notice.id,
          botId: notice.bot_id,
          kind: notice.kind,
          subject: notice.subject,
          message: notice.message,
          createdAt: notice.created_at.toISOString(),
        },
      };
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (res.ok) return;
      // The URL itself is a secret (it carries the chat's token): only the status is logged.
      const message = `the notice webhook answered ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429)
        throw new PermanentJobError(message);
      throw new Error(message);
    },
  });
}
