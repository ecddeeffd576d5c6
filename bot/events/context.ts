import type { Kysely } from 'kysely';
import type { ConversationRepository } from '../../db/conversations.ts';
import type { FriendRepository, UpsertedFriend } from '../../db/friends.ts';
import type { Database } from '../../db/schema.ts';
import type { PostbackRegistry } from '../postbacks.ts';

/**
 * What an event handler may touch. Everything runs in the transaction that also marks the event
 * processed, so a handler that throws leaves no trace and its retry starts clean. Calls to LINE are
 * never made here: they are enqueued (in the same transaction) as jobs.
 */
export interface EventContext {
  botId: string;
  trx: Kysely<Database>;
  friends: FriendRepository;
  conversations: ConversationRepository;
  postbacks: PostbackRegistry;
  /** Enqueues profile fetches for these users (one statement for all of them). */
  refreshProfiles(lineUserIds: string[]): Promise<void>;
  /** Shop time zone, for the rules an account link runs (default Asia/Tokyo). */
  timeZone?: string | undefined;
}

/** Makes sure the friend behind an event exists; a new one gets its profile fetched. */
export async function ensureFriend(ctx: EventContext, lineUserId: string): Promise<UpsertedFriend> {
  const friend = await ctx.friends.ensure(ctx.botId, lineUserId, 'event');
  if (friend.created) await ctx.refreshProfiles([lineUserId]);
  return friend;
}
