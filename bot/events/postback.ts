import type { HandledEvent } from '../../crm/line-events.ts';
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
  await ctx.trx
    .insertInto('postbacks')
    .values(
      rows.map(({ event, friendId, handler }) => ({
        bot_id: ctx.botId,
        webhook_event_id: event.webhookEventId,
        friend_id: friendId,
        data: event.postback.data,
        params: event.postback.params ? JSON.stringify(event.postback.params) : null,
        handler: handler?.name ?? null,
        received_at: new Date(event.timestamp),
      })),
    )
    .onConflict((oc) => oc.columns(['bot_id', 'webhook_event_id']).doNothing())
    .execute();
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
