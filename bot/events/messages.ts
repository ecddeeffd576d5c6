import {
  handledEventSchema,
  messageContentForStorage,
  type HandledEvent,
  type WebhookEvent,
} from '../../crm/line-events.ts';
import type { IncomingMessage } from '../../db/conversations.ts';
import type { EventContext } from './context.ts';

/** The stored form of a 1:1 `message` event, or undefined for anything else. */
export function incomingMessage(raw: WebhookEvent): IncomingMessage | undefined {
  if (raw.type !== 'message') return undefined;
  const parsed = handledEventSchema.safeParse(raw);
  return parsed.success ? messageOf(parsed.data) : undefined;
}

/** The stored form of a parsed event when it is a 1:1 `message`. */
export function messageOf(event: HandledEvent): IncomingMessage | undefined {
  if (event.type !== 'message') return undefined;
  const lineUserId = event.source?.type === 'user' ? event.source.userId : undefined;
  if (!lineUserId) return undefined;
  return {
    lineUserId,
    type: event.message.type,
    lineMessageId: event.message.id,
    content: messageContentForStorage(event.message),
    webhookEventId: event.webhookEventId,
    sentAt: new Date(event.timestamp),
  };
}

/**
 * Stores incoming messages of one bot together (see ConversationRepository.addIncoming); a friend
 * first seen through a message gets its profile fetched.
 */
export async function handleMessages(
  ctx: Pick<EventContext, 'botId' | 'conversations' | 'refreshProfiles'>,
  messages: IncomingMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await ctx.refreshProfiles(await ctx.conversations.addIncoming(ctx.botId, messages));
}
