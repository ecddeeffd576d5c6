import { sql, type Kysely } from 'kysely';
import type { MessageDirection } from '../crm/friend.ts';
import type { Database } from './schema.ts';

export interface NewMessage {
  botId: string;
  friendId: string;
  direction: MessageDirection;
  type: string;
  lineMessageId: string | null;
  content: Record<string, unknown>;
  webhookEventId: string | null;
  sentAt: Date;
}

/** One conversation per friend (chatwoot's model), holding messages in and out. */
export class ConversationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The friend's conversation, created on first use. */
  async ensure(botId: string, friendId: string): Promise<string> {
    const row = await this.db
      .insertInto('conversations')
      .values({ id: crypto.randomUUID(), bot_id: botId, friend_id: friendId })
      .onConflict((oc) =>
        oc.column('friend_id').doUpdateSet({ friend_id: sql<string>`conversations.friend_id` }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Stores a message once (a LINE message id is never stored twice) and moves the conversation:
   * an incoming message counts as unread and reopens a resolved conversation.
   */
  async addMessage(message: NewMessage): Promise<{ id: string; created: boolean }> {
    const conversationId = await this.ensure(message.botId, message.friendId);
    const inserted = await this.db
      .insertInto('messages')
      .values({
        id: crypto.randomUUID(),
        bot_id: message.botId,
        conversation_id: conversationId,
        direction: message.direction,
        type: message.type,
        line_message_id: message.lineMessageId,
        content: JSON.stringify(message.content),
        webhook_event_id: message.webhookEventId,
        sent_at: message.sentAt,
      })
      .onConflict((oc) => oc.columns(['bot_id', 'line_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { id: '', created: false };
    const incoming = message.direction === 'in';
    await this.db
      .updateTable('conversations')
      .set({
        last_message_at: sql`greatest(last_message_at, ${message.sentAt})`,
        unread_count: incoming ? sql`unread_count + 1` : sql`unread_count`,
        status: incoming
          ? sql`case when status = 'resolved' then 'open' else status end`
          : sql`status`,
        updated_at: sql`now()`,
      })
      .where('id', '=', conversationId)
      .execute();
    return { id: inserted.id, created: true };
  }
}
