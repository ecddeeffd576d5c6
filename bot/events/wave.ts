import { handledEventSchema } from '../../crm/line-events.ts';
import type { IncomingMessage } from '../../db/conversations.ts';
import type { FriendEvent } from '../../db/friends.ts';
import type { EventOutcome, StoredEvent } from '../../db/line-events.ts';
import type { EventContext } from './context.ts';
import { handleEvent } from './handle.ts';
import { handleMessages, messageOf } from './messages.ts';
import { storePostbacks, type PostbackEvent } from './postback.ts';

export interface Outcome {
  event: StoredEvent;
  outcome: EventOutcome;
}

/**
 * Splits a claimed batch (in order) into waves that can each run set-based. Only one friend's own
 * events depend on each other's order (a follow, then an unfollow), so a wave holds at most one
 * step per LINE user of a bot; a run of consecutive messages from one user is one step (they are
 * stored together, in order). Waves run in sequence, so every friend sees its events in order.
 */
export function waves(batch: StoredEvent[]): StoredEvent[][] {
  const out: StoredEvent[][] = [];
  const last = new Map<string, { wave: number; message: boolean }>();
  for (const event of batch) {
    const user = event.payload.source?.userId;
    const message = event.payload.type === 'message';
    let wave = 0;
    if (user !== undefined) {
      const key = `${event.botId}\u0000${user}`;
      const before = last.get(key);
      if (before) wave = before.message && message ? before.wave : before.wave + 1;
      last.set(key, { wave, message });
    }
    (out[wave] ??= []).push(event);
  }
  return out;
}

/**
 * Runs one wave of one bot's events: each event type Kizuna acts on in a statement or two for the
 * whole wave, profile fetches in one, and only the rare types one by one. Every event gets the
 * outcome handleEvent would give it alone (the isolated retry path runs that).
 */
export async function handleWave(ctx: EventContext, events: StoredEvent[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const follows: FriendEvent[] = [];
  const blocks: FriendEvent[] = [];
  const messages: IncomingMessage[] = [];
  const postbacks: PostbackEvent[] = [];
  const oneByOne: StoredEvent[] = [];
  for (const event of events) {
    const parsed = handledEventSchema.safeParse(event.payload);
    const source = parsed.success ? parsed.data.source : undefined;
    if (!parsed.success || source?.type !== 'user' || !source.userId) {
      outcomes.push({ event, outcome: 'ignored' });
      continue;
    }
    const lineUserId = source.userId;
    const at = new Date(parsed.data.timestamp);
    switch (parsed.data.type) {
      case 'follow':
        follows.push({ lineUserId, at });
        break;
      case 'unfollow':
        blocks.push({ lineUserId, at });
        break;
      case 'message': {
        const message = messageOf(parsed.data);
        if (message) messages.push(message);
        break;
      }
      case 'postback':
        postbacks.push({ ...parsed.data, source: { ...source, type: 'user', userId: lineUserId } });
        break;
      case 'accountLink':
        oneByOne.push(event);
        continue;
      default: {
        const unreachable: never = parsed.data;
        throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
      }
    }
    outcomes.push({ event, outcome: 'done' });
  }

  // Profile fetches are collected and enqueued together at the end of the wave.
  const profiles = new Set<string>();
  const collecting: EventContext = {
    ...ctx,
    refreshProfiles: (ids) => {
      for (const id of ids) profiles.add(id);
      return Promise.resolve();
    },
  };
  await ctx.friends.followMany(ctx.botId, follows);
  // A follow (new friend, re-follow or unblock) always refreshes the profile: it may have changed.
  await collecting.refreshProfiles(follows.map((f) => f.lineUserId));
  await ctx.friends.blockMany(ctx.botId, blocks);
  await handleMessages(collecting, messages);
  await storePostbacks(collecting, postbacks);
  for (const event of oneByOne)
    outcomes.push({ event, outcome: await handleEvent(event.payload, collecting) });
  if (profiles.size > 0) await ctx.refreshProfiles([...profiles]);
  return outcomes;
}
