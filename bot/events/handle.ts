import { handledEventSchema, type HandledEvent, type WebhookEvent } from '../../crm/line-events.ts';
import { AccountLinkNonces } from '../../db/account-links.ts';
import type { EventOutcome } from '../../db/line-events.ts';
import { ensureFriend, type EventContext } from './context.ts';
import { handleMessages, messageOf } from './messages.ts';
import { storePostbacks } from './postback.ts';

/**
 * Runs one stored LINE event. One branch per event type Kizuna acts on; every other type (join,
 * beacon, unsend, types LINE adds later...) is stored and ignored. Events from groups and rooms
 * are ignored too: Kizuna's friends are 1:1 chats.
 */
export async function handleEvent(raw: WebhookEvent, ctx: EventContext): Promise<EventOutcome> {
  const parsed = handledEventSchema.safeParse(raw);
  if (!parsed.success) return 'ignored';
  const event: HandledEvent = parsed.data;
  const userId = event.source?.type === 'user' ? event.source.userId : undefined;
  if (!userId) return 'ignored';
  const at = new Date(event.timestamp);

  switch (event.type) {
    case 'follow': {
      // New friend, re-follow or unblock (follow.isUnblocked): the profile may have changed too.
      await ctx.friends.follow(ctx.botId, userId, at);
      await ctx.refreshProfiles([userId]);
      return 'done';
    }
    case 'unfollow': {
      await ctx.friends.block(ctx.botId, userId, at);
      return 'done';
    }
    case 'message': {
      const message = messageOf(event);
      if (message) await handleMessages(ctx, [message]);
      return 'done';
    }
    case 'postback':
      await storePostbacks(ctx, [{ ...event, source: { ...event.source, type: 'user', userId } }]);
      return 'done';
    case 'accountLink': {
      const friend = await ensureFriend(ctx, userId);
      // F2.8: an ok result spends the shop's nonce and links the friend to its customer; a used,
      // expired or unknown nonce links nothing and is recorded as such.
      const outcome =
        event.link.result === 'ok'
          ? await new AccountLinkNonces(ctx.trx).consume(
              ctx.botId,
              event.link.nonce,
              friend.id,
              at,
              ctx.timeZone,
            )
          : 'failed';
      await ctx.trx
        .insertInto('account_links')
        .values({
          bot_id: ctx.botId,
          webhook_event_id: event.webhookEventId,
          friend_id: friend.id,
          nonce: event.link.nonce,
          result: event.link.result,
          received_at: at,
          outcome,
        })
        .onConflict((oc) => oc.columns(['bot_id', 'webhook_event_id']).doNothing())
        .execute();
      return 'done';
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}
