import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { friendsOfLineUsers } from './friends.ts';
import { executePrepared } from './prepared.ts';
import type { Database } from './schema.ts';

export interface IncomingMessage {
  lineUserId: string;
  type: string;
  lineMessageId: string;
  content: Record<string, unknown>;
  webhookEventId: string;
  sentAt: Date;
}

interface Owner {
  line_user_id: string;
  conversation_id: string;
  created: boolean;
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
   * Incoming messages from LINE users of one bot, set-based in two statements whatever their number
   * (the hot path of webhook processing): the friends and their conversations are made sure of in
   * the first; the messages are stored once (by LINE message id) and counted unread, reopening
   * resolved conversations, in the second. Two, because a statement does not see rows its own CTEs
   * insert. Resolves to the LINE user ids whose friend row this created.
   */
  async addIncoming(botId: string, messages: IncomingMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const owners = await this.ownersOf(
      botId,
      messages.map((m) => m.lineUserId),
    );
    const conversationOf = new Map(owners.map((r) => [r.line_user_id, r.conversation_id]));
    // Message ids are UUIDv7, ordered by time: the primary key grows at its right edge instead of
    // taking a random page of the index for every message. The conversations are also picked by
    // their ids as an array (an init plan), so that they are found through the key: joined on the
    // batch alone, the plan read every conversation of the table (5,000 to update 130).
    await executePrepared(
      this.db,
      sql`
      with m as (
        insert into messages (id, bot_id, conversation_id, direction, type, line_message_id, content, webhook_event_id, sent_at)
        select v.id, ${botId}, v.conversation_id, 'in', v.type, v.line_message_id, v.content::jsonb,
          v.webhook_event_id, to_timestamp(v.sent_at / 1000.0)
        from unnest(${messages.map(() => uuidv7())}::text[],
          ${messages.map((m) => conversationOf.get(m.lineUserId)!)}::text[], ${messages.map((m) => m.type)}::text[],
          ${messages.map((m) => m.lineMessageId)}::text[], ${messages.map((m) => JSON.stringify(m.content))}::text[],
          ${messages.map((m) => m.webhookEventId)}::text[], ${messages.map((m) => m.sentAt.getTime())}::float8[])
          as v(id, conversation_id, type, line_message_id, content, webhook_event_id, sent_at)
        on conflict (bot_id, line_message_id) do nothing
        returning conversation_id, sent_at)
      update conversations set last_message_at = greatest(conversations.last_message_at, a.last_at),
        unread_count = conversations.unread_count + a.n,
        status = case when conversations.status = 'resolved' then 'open' else conversations.status end,
        updated_at = now()
      from (select conversation_id, count(*)::int as n, max(sent_at) as last_at from m group by conversation_id) as a
      where conversations.id = a.conversation_id
        and conversations.id = any(array(select conversation_id from m))`,
    );
    return owners.filter((r) => r.created).map((r) => r.line_user_id);
  }

  /**
   * The conversation of each user, the friend and the conversation made where missing. Read first:
   * nearly every message comes from a known friend with a conversation, and an upsert would write a
   * new version of both rows (and of their indexes) only to return their ids.
   */
  private async ownersOf(botId: string, lineUserIds: string[]): Promise<Owner[]> {
    const users = [...new Set(lineUserIds)];
    // Keyed probes per user, never a scan of the bot's friends or conversations.
    const { rows: found } = await executePrepared(
      this.db,
      sql<Owner>`
      select f.line_user_id, c.id as conversation_id, false as created
      from ${friendsOfLineUsers(botId, users)},
        lateral (select id from conversations where friend_id = f.id limit 1) as c`,
    );
    if (found.length === users.length) return found;
    const known = new Set(found.map((r) => r.line_user_id));
    const missing = users.filter((u) => !known.has(u));
    // The upserts return the rows also when another transaction has just made them.
    const made = await sql<Owner>`
      with f as (
        insert into friends (id, bot_id, line_user_id, source)
        select gen_random_uuid()::text, ${botId}, u, 'event' from unnest(${missing}::text[]) as u
        on conflict (bot_id, line_user_id) do update set bot_id = friends.bot_id
        returning id, line_user_id, (xmax = 0) as created),
      c as (
        insert into conversations (id, bot_id, friend_id) select gen_random_uuid()::text, ${botId}, f.id from f
        on conflict (friend_id) do update set friend_id = conversations.friend_id
        returning id, friend_id)
      select f.line_user_id, f.created, c.id as conversation_id from f join c on c.friend_id = f.id`.execute(
      this.db,
    );
    return [...found, ...made.rows];
  }
}
