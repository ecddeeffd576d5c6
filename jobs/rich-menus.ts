import { z } from 'zod';
import { LineApiError, type LinePort } from '../bot/line-port.ts';
import type { Db } from '../db/index.ts';
import { RichMenuError } from '../rich-menus/errors.ts';
import { botsWithRules, runReassignPass } from '../rich-menus/passes.ts';
import type { FriendSelector } from '../rich-menus/select.ts';
import type { Logger } from '../server/logger.ts';
import { defineJob, PermanentJobError, type JobDefinition } from './job.ts';

export interface RichMenuJobDeps {
  db: Db;
  logger: Logger;
  lineFor(botId: string): Promise<LinePort>;
  select: FriendSelector;
  now?: () => Date;
}

const reassignPayload = z.object({ botId: z.string(), full: z.boolean().optional() });

/**
 * A reassign pass of one bot now (staff's "reassign now"; after an apply). LINE refusing the
 * token or a menu cannot be fixed by retrying; LINE down or rate-limiting can.
 */
export function reassignRichMenusJob(
  deps: RichMenuJobDeps,
): JobDefinition<z.infer<typeof reassignPayload>> {
  return defineJob({
    name: 'rich-menus.reassign',
    payload: reassignPayload,
    retryLimit: 5,
    retryDelaySeconds: 30,
    expireInSeconds: 3600,
    handle: async ({ botId, full }) => {
      try {
        const line = await deps.lineFor(botId);
        const now = deps.now?.() ?? new Date();
        const result = await runReassignPass({
          db: deps.db.kysely,
          line,
          botId,
          select: deps.select,
          now,
          full: full ?? true,
        });
        if (result) deps.logger.info('rich menus reassigned', { botId, ...result });
      } catch (error) {
        throw permanentIfSo(error);
      }
    },
  });
}

/**
 * Every minute: for each bot with rules, re-link the friends whose tags, links or purchases
 * changed (F7.2), and everyone once a quarter hour. One bot's failure does not hold up others.
 */
export function richMenuSweepJob(deps: RichMenuJobDeps): JobDefinition<Record<string, never>> {
  return defineJob({
    name: 'rich-menus.sweep',
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    retryLimit: 0,
    expireInSeconds: 600,
    schedule: { cron: '* * * * *', payload: {} },
    handle: async () => {
      const now = deps.now?.() ?? new Date();
      for (const botId of await botsWithRules(deps.db.kysely)) {
        try {
          const line = await deps.lineFor(botId);
          const result = await runReassignPass({
            db: deps.db.kysely,
            line,
            botId,
            select: deps.select,
            now,
          });
          if (result) deps.logger.info('rich menus reassigned', { botId, ...result });
        } catch (error) {
          deps.logger.warn('rich-menu pass failed; the next one retries', { botId, error });
          // Recorded for staff (GET …/rich-menus); a bot's first pass failing leaves the
          // watermark at the epoch, so the next pass is a full one.
          const failure = {
            error: error instanceof Error ? error.message : String(error),
            ran_at: now,
          };
          await deps.db.kysely
            .insertInto('rich_menu_passes')
            .values({ bot_id: botId, watermark: new Date(0), ...failure })
            .onConflict((oc) => oc.column('bot_id').doUpdateSet(failure))
            .execute();
        }
      }
    },
  });
}

function permanentIfSo(error: unknown): unknown {
  const permanent = (e: unknown) =>
    new PermanentJobError(e instanceof Error ? e.message : String(e), { cause: e });
  // A filter the selector cannot evaluate, or a menu not applied: only staff can fix those.
  if (error instanceof RichMenuError && error.code !== 'line_refused') return permanent(error);
  const cause = error instanceof RichMenuError ? error.cause : error;
  if (
    cause instanceof LineApiError &&
    (cause.kind === 'permanent' || cause.kind === 'unauthorized')
  )
    return permanent(error);
  return error;
}
