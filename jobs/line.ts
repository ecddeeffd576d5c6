import { sql } from 'kysely';
import { z } from 'zod';
import { LineApiError, type LinePort } from '../bot/line-port.ts';
import type { Db } from '../db/index.ts';
import { FriendRepository } from '../db/friends.ts';
import type { Logger } from '../server/logger.ts';
import { defineJob, PermanentJobError, type JobDefinition } from './job.ts';

export interface LineJobDeps {
  db: Db;
  logger: Logger;
  lineFor(botId: string): Promise<LinePort>;
  /** Enqueues profile fetches (set once the queue exists; jobs enqueue other jobs). */
  enqueueProfiles(botId: string, lineUserIds: string[]): Promise<void>;
}

const profilePayload = z.object({ botId: z.string(), lineUserId: z.string() });
const importPayload = z.object({ botId: z.string() });

/** LINE failures that retrying cannot fix end the job at once. */
function rethrow(error: unknown): never {
  if (
    error instanceof LineApiError &&
    (error.kind === 'permanent' || error.kind === 'unauthorized')
  ) {
    throw new PermanentJobError(`LINE refused: ${error.message}`, { cause: error });
  }
  throw error;
}

/** Fetches a friend's LINE profile (name, picture, language). Retried with backoff while LINE is down or rate-limits. */
export function refreshProfileJob(
  deps: LineJobDeps,
): JobDefinition<z.infer<typeof profilePayload>> {
  return defineJob({
    name: 'line.refresh-profile',
    payload: profilePayload,
    retryLimit: 8,
    retryDelaySeconds: 10,
    batchSize: 50,
    concurrency: 4,
    handle: async ({ botId, lineUserId }) => {
      const line = await deps.lineFor(botId).catch(rethrow);
      const profile = await line.getProfile(lineUserId).catch(rethrow);
      // No profile: the user blocked the account or is not a friend; the friend row stays as it is.
      if (profile)
        await new FriendRepository(deps.db.kysely).saveProfile(botId, profile, new Date());
    },
  });
}

/**
 * Imports a newly connected bot's existing friends through the follower-ids API, a page at a time.
 * The cursor is saved with each page, so a retried or interrupted import resumes where it stopped.
 * Accounts that may not list followers (LINE allows it for verified/premium accounts) are marked
 * `unavailable`: their friends are created as they first send an event.
 */
export function importFollowersJob(
  deps: LineJobDeps,
): JobDefinition<z.infer<typeof importPayload>> {
  return defineJob({
    name: 'line.import-followers',
    payload: importPayload,
    retryLimit: 10,
    retryDelaySeconds: 30,
    expireInSeconds: 3600,
    handle: async ({ botId }) => {
      const db = deps.db.kysely;
      const state = await db
        .selectFrom('follower_imports')
        .selectAll()
        .where('bot_id', '=', botId)
        .executeTakeFirst();
      if (!state || state.state === 'done' || state.state === 'unavailable') return;
      const line = await deps.lineFor(botId).catch(rethrow);
      const friends = new FriendRepository(db);
      let cursor = state.next_cursor ?? undefined;
      for (;;) {
        let page;
        try {
          page = await line.getFollowerIds(cursor, 1000);
        } catch (error) {
          if (error instanceof LineApiError && error.status === 403) {
            await finish(
              deps.db,
              botId,
              'unavailable',
              'this LINE account may not list its friends; they are added as they interact',
            );
            return;
          }
          rethrow(error);
        }
        const created = await friends.importFollowers(botId, page.userIds);
        await deps.enqueueProfiles(botId, created);
        cursor = page.next;
        await db
          .updateTable('follower_imports')
          .set({
            next_cursor: cursor ?? null,
            imported: sql`imported + ${page.userIds.length}`,
            state: 'running',
            error: null,
          })
          .where('bot_id', '=', botId)
          .execute();
        if (!cursor) break;
      }
      await finish(deps.db, botId, 'done', null);
      deps.logger.info('follower import finished', { botId });
    },
  });
}

async function finish(
  db: Db,
  botId: string,
  state: 'done' | 'unavailable',
  error: string | null,
): Promise<void> {
  await db.kysely
    .updateTable('follower_imports')
    .set({ state, error, finished_at: new Date() })
    .where('bot_id', '=', botId)
    .execute();
}
