import { sql } from 'kysely';
import type { HandledEvent } from '../../crm/line-events.ts';
import { executePrepared } from '../../db/prepared.ts';
import type { EventContext } from './context.ts';

export type PostbackEvent = Extract<HandledEvent, { type: 'postback' }> & {
  source: { type: 'user'; userId: string };
};

/**
 * Stores postbacks of one bot (F1.3) in one statement each for friends and rows, then runs the
 * registered handler of each, one by one in order: handlers are the features' own logic. A friend
 * first seen through a postback gets its profile fetched.
 */
export async function storePostbacks(ctx: EventContext, postbacks: PostbackEvent[]): Promise<void> {
  if (postbacks.length === 0) return;
  const friends = await ctx.friends.ensureMany(
    ctx.botId,
    postbacks.map((p) => p.source.userId),
    'event',
  );
  await ctx.refreshProfiles([...friends].filter(([, f]) => f.created).map(([user]) => user));
  const rows = postbacks.map((event) => ({
    event,
    friendId: friends.get(event.source.userId)!.id,
    handler: ctx.postbacks.find(event.postback.data),
  }));
  // One statement text whatever the batch's size (arrays, not a VALUES row per postback): parsed and
  // planned as one, where a VALUES list is a new statement for every count of rows.
  await executePrepared(
    ctx.trx,
    sql`
    insert into postbacks (bot_id, webhook_event_id, friend_id, data, params, handler, received_at)
    select ${ctx.botId}, v.webhook_event_id, v.friend_id, v.data, v.params::jsonb, v.handler,
      to_timestamp(v.at / 1000.0)
    from unnest(${rows.map((r) => r.event.webhookEventId)}::text[], ${rows.map((r) => r.friendId)}::text[],
      ${rows.map((r) => r.event.postback.data)}::text[],
      ${rows.map((r) => (r.event.postback.params ? JSON.stringify(r.event.postback.params) : null))}::text[],
      ${rows.map((r) => r.handler?.name ?? null)}::text[], ${rows.map((r) => r.event.timestamp)}::float8[])
      as v(webhook_event_id, friend_id, data, params, handler, at)
    on conflict (bot_id, webhook_event_id) do nothing`,
  );
  for (const { event, friendId, handler } of rows) {
    await handler?.handle({
      botId: ctx.botId,
      friendId,
      lineUserId: event.source.userId,
      data: event.postback.data,
      params: event.postback.params,
      occurredAt: new Date(event.timestamp),
    });
  }
}
