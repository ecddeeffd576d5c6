import { z } from 'zod';
import type { RuleTrigger } from '../crm/rule.ts';
import type { Db } from '../db/index.ts';
import { runRules } from '../db/rule-runner.ts';
import { RuleRepository } from '../db/rules.ts';
import type { Logger } from '../server/logger.ts';
import { defineJob, type JobDefinition } from './job.ts';

export interface RuleJobDeps {
  db: Db;
  logger: Logger;
  /** Shop time zone: the queue's cron runs in it, and birth months are months there. */
  timeZone?: string | undefined;
  now?: () => Date;
}

const payload = z.object({ trigger: z.enum(['schedule', 'birth_month']) });

/**
 * The rule clocks (F5.3): schedule rules at :00, :15, :30 and :45, birth-month rules on the 1st
 * at 00:00, both in shop time (the queue's cron time zone). pg-boss runs one tick per slot across
 * all processes; a tick whose pass dies is retried, and a rerun changes only what is still due.
 */
export function ruleScheduleJobs(deps: RuleJobDeps): JobDefinition<z.infer<typeof payload>>[] {
  const tick = (name: string, cron: string, trigger: RuleTrigger) =>
    defineJob({
      name,
      payload,
      schedule: { cron, payload: { trigger } },
      // A pass over a million friends takes seconds; a retry soon after a failure is enough.
      retryLimit: 2,
      expireInSeconds: 600,
      handle: async ({ trigger: wanted }) => {
        const now = deps.now?.() ?? new Date();
        for (const botId of await new RuleRepository(deps.db.kysely).botsWithRules(wanted)) {
          const runs = await runRules(deps.db.kysely, botId, {
            cause: wanted,
            now,
            timeZone: deps.timeZone,
            triggers: [wanted],
          });
          deps.logger.info('rule pass', {
            botId,
            trigger: wanted,
            rules: runs.length,
            added: runs.reduce((n, r) => n + r.added, 0),
            removed: runs.reduce((n, r) => n + r.removed, 0),
          });
        }
      },
    });
  return [
    tick('rules.quarter-hour', '0,15,30,45 * * * *', 'schedule'),
    tick('rules.birth-month', '0 0 1 * *', 'birth_month'),
  ];
}
