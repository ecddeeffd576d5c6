import { sql } from 'kysely';
import { z } from 'zod';
import { LineApiError, type LineProfile, type LinePort } from '../bot/line-port.ts';
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

/** Users per profile job: one job, one look-up and one write for a wave of follows. */
export const PROFILES_PER_JOB = 100;
const PROFILE_FETCHES_AT_ONCE = 10;

const profilePayload = z.preprocess(
  // Jobs queued before profiles were batched carry one user.
  (raw) =>
    raw && typeof raw === 'object' && 'lineUserId' in raw && !('lineUserIds' in raw)
      ? { botId: (raw as { botId?: unknown }).botId, lineUserIds: [raw.lineUserId] }
      : raw,
  z.object({
    botId: z.string(),
    lineUserIds: z.array(z.string()).min(1).max(PROFILES_PER_JOB),
    /** When the refresh was asked for: a profile fetched since then is not fetched again. */
    requestedAt: z.iso.datetime().optional(),
  }),
);
const importPayload = z.object({ botId: z.string() });

/** LINE failures that retrying cannot fix end the job at once. */
function rethrow(error: unknown): never {
  if (isPermanent(error)) {
    throw new PermanentJobError(`LINE refused: ${(error as Error).message}`, { cause: error });
  }
  throw error;
}

/** Payloads of the jobs that refresh these users' profiles. */
export function profileJobs(botId: string, lineUserIds: string[]) {
  const requestedAt = new Date().toISOString();
  const jobs = [];
  for (let i = 0; i < lineUserIds.length; i += PROFILES_PER_JOB)
    jobs.push({ botId, lineUserIds: lineUserIds.slice(i, i + PROFILES_PER_JOB), requestedAt });
  return jobs;
}

/**
 * Fetches the LINE profiles (name, picture, language) of up to PROFILES_PER_JOB friends of a bot
 * and stores them in one statement. Retried with backoff while LINE is down or rate-limits; a retry
 * fetches only the profiles not stored since the refresh was asked for, so LINE is not asked twice
 * for the ones that succeeded.
 */
export function refreshProfileJob(
  deps: LineJobDeps,
): JobDefinition<z.infer<typeof profilePayload>> {
  return defineJob({
    name: 'line.refresh-profile',
    payload: profilePayload,
    retryLimit: 8,
    retryDelaySeconds: 10,
    batchSize: 4,
    concurrency: 2,
    handle: async ({ botId, lineUserIds, requestedAt }) => {
      const friends = new FriendRepository(deps.db.kysely);
      const due = requestedAt
        ? await friends.profilesDue(botId, lineUserIds, new Date(requestedAt))
        : lineUserIds;
      if (due.length === 0) return;
      const line = await deps.lineFor(botId).catch(rethrow);
      const results: PromiseSettledResult<LineProfile | undefined>[] = [];
      // A few at a time: one job must not hold a hundred connections to LINE.
      for (let i = 0; i < due.length; i += PROFILE_FETCHES_AT_ONCE)
        results.push(
          ...(await Promise.allSettled(
            due.slice(i, i + PROFILE_FETCHES_AT_ONCE).map((id) => line.getProfile(id)),
          )),
        );
      // No profile: the user blocked the account or is not a friend; the friend row stays as it is.
      const profiles = results.flatMap((r) =>
        r.status === 'fulfilled' && r.value ? [r.value] : [],
      );
      await friends.saveProfiles(botId, profiles, new Date());
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (failed.length === 0) return;
      // The stored ones are kept; the job fails for the others (permanently if no retry can help).
      if (failed.every(isPermanent)) rethrow(failed[0]);
      throw failed.find((error) => !isPermanent(error));
    },
  });
}

function isPermanent(error: unknown): boolean {
  return (
    error instanceof LineApiError && (error.kind === 'permanent' || error.kind === 'unauthorized')
  );
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
