/**
 * Notices tell staff that something needs them (F3.5). Each has a kind and a subject (the
 * connection, ...): while one is open, the same problem again only counts another occurrence,
 * so a sync failing every hour is one notice, not twenty-four; it closes by itself when the
 * problem does (the next sync works) or when staff dismiss it.
 */
export type NoticeKind = 'sync_failed';

export interface Notice {
  id: string;
  botId: string;
  kind: NoticeKind;
  subject: string;
  message: string;
  occurrences: number;
  createdAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  resolvedBy: 'recovered' | 'staff' | null;
}

/** The text a chat webhook (Slack-compatible `text`) shows for a new notice. */
export function noticeText(notice: Pick<Notice, 'botId' | 'kind' | 'message'>): string {
  switch (notice.kind) {
    case 'sync_failed':
      return `[Kizuna] bot ${notice.botId}: a cart sync failed: ${notice.message}`;
    default: {
      const unreachable: never = notice.kind;
      return String(unreachable);
    }
  }
}
