import { sql, type Kysely, type Selectable } from 'kysely';
import type { Notice, NoticeKind } from '../crm/notice.ts';
import type { Database, NoticesTable } from './schema.ts';

/** Staff notices: one open notice per (bot, kind, subject); see crm/notice.ts. */
export class NoticeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Opens a notice, or counts another occurrence of the open one (with the latest message).
   * Resolves to the notice and whether it is new (only a new notice is sent out).
   */
  async raise(input: {
    botId: string;
    kind: NoticeKind;
    subject: string;
    message: string;
  }): Promise<{ notice: Notice; created: boolean }> {
    const row = await sql<Selectable<NoticesTable> & { created: boolean }>`
      insert into notices (id, bot_id, kind, subject, message)
      values (${crypto.randomUUID()}, ${input.botId}, ${input.kind}, ${input.subject}, ${input.message})
      on conflict (bot_id, kind, subject) where resolved_at is null do update set
        message = excluded.message, occurrences = notices.occurrences + 1, last_seen_at = now()
      returning *, (xmax = 0) as created`.execute(this.db);
    const { created, ...notice } = row.rows[0]!;
    return { notice: toNotice(notice), created };
  }

  /** Closes the open notice of this kind and subject, if any (the problem went away). */
  async recovered(botId: string, kind: NoticeKind, subject: string): Promise<void> {
    await this.db
      .updateTable('notices')
      .set({ resolved_at: sql`now()`, resolved_by: 'recovered' })
      .where('bot_id', '=', botId)
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .where('resolved_at', 'is', null)
      .execute();
  }

  /** Staff dismiss a notice; undefined when the bot has no such notice. */
  async dismiss(botId: string, id: string): Promise<Notice | undefined> {
    const row = await this.db
      .updateTable('notices')
      .set({
        resolved_at: sql`coalesce(resolved_at, now())`,
        resolved_by: sql`coalesce(resolved_by, 'staff')`,
      })
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toNotice(row);
  }

  /** Open notices first, newest first; with `open`, only those. */
  async list(botId: string, options: { open?: boolean; limit?: number } = {}): Promise<Notice[]> {
    let query = this.db.selectFrom('notices').selectAll().where('bot_id', '=', botId);
    if (options.open) query = query.where('resolved_at', 'is', null);
    const rows = await query
      .orderBy(sql`resolved_at is null`, 'desc')
      .orderBy('last_seen_at', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map(toNotice);
  }
}

function toNotice(row: Selectable<NoticesTable>): Notice {
  return {
    id: row.id,
    botId: row.bot_id,
    kind: row.kind as NoticeKind,
    subject: row.subject,
    message: row.message,
    occurrences: row.occurrences,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by as Notice['resolvedBy'],
  };
}
