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
   * An incoming message from a LINE user, in two round trips (the hot path of webhook processing):
   * the friend and the conversation are made sure of in one statement; the message is stored once
   * (by its LINE id) and counted unread, reopening a resolved conversation, in the next. Two, because
   * a statement does not see rows its own CTEs insert.
   */
  async addIncoming(
    message: Omit<NewMessage, 'friendId' | 'direction'> & { lineUserId: string },
  ): Promise<{ friendCreated: boolean; stored: boolean }> {
    const owner = await sql<{ conversation_id: string; friend_created: boolean }>`
      with f as (
        insert into friends (id, bot_id, line_user_id, source)
        values (${crypto.randomUUID()}, ${message.botId}, ${message.lineUserId}, 'event')
        on conflict (bot_id, line_user_id) do update set bot_id = friends.bot_id
        returning id, (xmax = 0) as created),
      c as (
        insert into conversations (id, bot_id, friend_id) select ${crypto.randomUUID()}, ${message.botId}, f.id from f
        on conflict (friend_id) do update set friend_id = conversations.friend_id
        returning id)
      select c.id as conversation_id, f.created as friend_created from c, f`.execute(this.db);
    const { conversation_id: conversationId, friend_created: friendCreated } = owner.rows[0]!;
    const stored = await sql<{ id: string }>`
      with m as (
        insert into messages (id, bot_id, conversation_id, direction, type, line_message_id, content, webhook_event_id, sent_at)
        values (${crypto.randomUUID()}, ${message.botId}, ${conversationId}, 'in', ${message.type}, ${message.lineMessageId},
          ${JSON.stringify(message.content)}::jsonb, ${message.webhookEventId}, ${message.sentAt})
        on conflict (bot_id, line_message_id) do nothing
        returning conversation_id)
      update conversations set last_message_at = greatest(last_message_at, ${message.sentAt}),
        unread_count = unread_count + 1,
        status = case when status = 'resolved' then 'open' else status end, updated_at = now()
      where id in (select conversation_id from m)
      returning id`.execute(this.db);
    return { friendCreated, stored: stored.rows.length > 0 };
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
