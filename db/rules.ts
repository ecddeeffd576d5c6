import type { Kysely, Selectable } from 'kysely';
import { filterSchema } from '../crm/filter.ts';
import type { Rule, RuleAction, RuleInput, RuleTrigger } from '../crm/rule.ts';
import type { Database, RulesTable } from './schema.ts';

export interface RuleRun {
  id: string;
  ruleId: string;
  cause: string;
  scopedTo: number | null;
  added: number;
  removed: number;
  durationMs: number;
  startedAt: Date;
}

/** Auto-tag rules of a bot (F5.3) and the record of their passes. */
export class RuleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(botId: string, options: { trigger?: RuleTrigger; enabled?: boolean } = {}) {
    let query = this.db.selectFrom('rules').selectAll().where('bot_id', '=', botId);
    if (options.trigger) query = query.where('trigger', '=', options.trigger);
    if (options.enabled !== undefined) query = query.where('enabled', '=', options.enabled);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toRule);
  }

  async get(botId: string, id: string): Promise<Rule | undefined> {
    const row = await this.db
      .selectFrom('rules')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRule(row);
  }

  async create(botId: string, input: RuleInput): Promise<Rule> {
    const row = await this.db
      .insertInto('rules')
      .values({ id: crypto.randomUUID(), bot_id: botId, ...columns(input) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRule(row);
  }

  async update(botId: string, id: string, input: RuleInput): Promise<Rule | undefined> {
    const row = await this.db
      .updateTable('rules')
      .set({ ...columns(input), updated_at: new Date() })
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toRule(row);
  }

  async delete(botId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('rules')
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Newest first, after the run id `before` when given. */
  async runs(ruleId: string, options: { before?: string | undefined; limit: number }) {
    let query = this.db.selectFrom('rule_runs').selectAll().where('rule_id', '=', ruleId);
    if (options.before) query = query.where('id', '<', options.before);
    const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
    return rows.map((r): RuleRun => ({
      id: String(r.id),
      ruleId: r.rule_id,
      cause: r.cause,
      scopedTo: r.scoped_to,
      added: r.added,
      removed: r.removed,
      durationMs: r.duration_ms,
      startedAt: new Date(r.started_at),
    }));
  }

  /** Bots with enabled rules of this trigger (what a scheduled pass walks). */
  async botsWithRules(trigger: RuleTrigger): Promise<string[]> {
    const rows = await this.db
      .selectFrom('rules')
      .select('bot_id')
      .distinct()
      .where('trigger', '=', trigger)
      .where('enabled', '=', true)
      .orderBy('bot_id')
      .execute();
    return rows.map((r) => r.bot_id);
  }
}

const columns = (input: RuleInput) => ({
  name: input.name,
  trigger: input.trigger,
  filter: JSON.stringify(input.filter),
  action: input.action,
  tag_id: input.tagId,
  enabled: input.enabled,
});

function toRule(row: Selectable<RulesTable>): Rule {
  return {
    id: row.id,
    botId: row.bot_id,
    name: row.name,
    trigger: row.trigger as RuleTrigger,
    // Stored only after validation; parsed again so a row edited by hand fails loudly here.
    filter: filterSchema.parse(row.filter),
    action: row.action as RuleAction,
    tagId: row.tag_id,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
