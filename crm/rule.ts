import { z } from 'zod';
import { dayIn } from './filter-eval.ts';
import { bornIn, filterSchema, type Filter } from './filter.ts';

/**
 * Auto-tag rules (F5.3): condition = a filter, action = add or remove a tag. Schedule rules run
 * every 15 minutes; birth-month rules on the 1st at 00:00, adding the tag to friends born this
 * month (who also match the filter) and taking it from everyone else, last month's included.
 */
export const RULE_TRIGGERS = ['schedule', 'birth_month'] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];
export const RULE_ACTIONS = ['add', 'remove'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];
/** Why a pass ran: its clock, an immediate trigger (F5.3), or staff. */
export type RuleCause = RuleTrigger | 'link' | 'form' | 'manual';

export const ruleInputSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100),
    trigger: z.enum(RULE_TRIGGERS).default('schedule'),
    filter: filterSchema,
    action: z.enum(RULE_ACTIONS),
    tagId: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
  })
  .refine((r) => r.trigger !== 'birth_month' || r.action === 'add', {
    path: ['action'],
    message: 'a birth-month rule adds its tag (and takes it from those not born this month)',
  });
export type RuleInput = z.infer<typeof ruleInputSchema>;

export interface Rule extends RuleInput {
  id: string;
  botId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What one pass of a rule changes, as filters of the friends to tag and to untag. */
export interface RulePlan {
  add?: Filter;
  remove?: Filter;
}

export function planRule(
  rule: Pick<Rule, 'trigger' | 'action' | 'filter'>,
  month: number,
): RulePlan {
  switch (rule.trigger) {
    case 'schedule':
      return rule.action === 'add' ? { add: rule.filter } : { remove: rule.filter };
    case 'birth_month':
      // "Not born this month" rather than "born last month": a pass missed in some month still
      // converges on the next.
      return {
        add: { kind: 'and', filters: [bornIn(month), rule.filter] },
        remove: { kind: 'not', filter: bornIn(month) },
      };
    default: {
      const unknown: never = rule.trigger;
      throw new Error(`unknown rule trigger ${String(unknown)}`);
    }
  }
}

/** The month (1–12) of an instant in the shop's time zone. */
export const monthIn = (at: Date, timeZone: string) => Number(dayIn(at, timeZone).slice(5, 7));
