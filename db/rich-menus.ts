import type { Kysely } from 'kysely';
import type { RichMenuRule, RichMenuRuleInput } from '../crm/rich-menu.ts';
import type { Database } from './schema.ts';

/** A definition as applied to LINE: the menu LINE shows for it. */
export interface AppliedRichMenu {
  name: string;
  richMenuId: string;
  hash: string;
  alias: string | null;
  isDefault: boolean;
  appliedAt: Date;
}

/** Rich menus as applied (F7.1) and the per-friend rules (F7.2) of each bot. */
export class RichMenuRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async applied(botId: string): Promise<AppliedRichMenu[]> {
    const rows = await this.db
      .selectFrom('rich_menus')
      .selectAll()
      .where('bot_id', '=', botId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      richMenuId: r.rich_menu_id,
      hash: r.hash,
      alias: r.alias,
      isDefault: r.is_default,
      appliedAt: r.applied_at,
    }));
  }

  /** Records the applied set: rows of names not in `menus` go, the others are upserted. */
  async saveApplied(botId: string, menus: Omit<AppliedRichMenu, 'appliedAt'>[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let gone = trx.deleteFrom('rich_menus').where('bot_id', '=', botId);
      if (menus.length)
        gone = gone.where(
          'name',
          'not in',
          menus.map((m) => m.name),
        );
      await gone.execute();
      if (!menus.length) return;
      await trx
        .insertInto('rich_menus')
        .values(
          menus.map((m) => ({
            bot_id: botId,
            name: m.name,
            rich_menu_id: m.richMenuId,
            hash: m.hash,
            alias: m.alias,
            is_default: m.isDefault,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['bot_id', 'name']).doUpdateSet((eb) => ({
            rich_menu_id: eb.ref('excluded.rich_menu_id'),
            hash: eb.ref('excluded.hash'),
            alias: eb.ref('excluded.alias'),
            is_default: eb.ref('excluded.is_default'),
            applied_at: eb.fn('now'),
          })),
        )
        .execute();
    });
  }

  async rules(botId: string): Promise<RichMenuRule[]> {
    const rows = await this.db
      .selectFrom('rich_menu_rules')
      .selectAll()
      .where('bot_id', '=', botId)
      .orderBy('position')
      .orderBy('created_at')
      .execute();
    return rows.map(toRule);
  }

  async rule(botId: string, id: string): Promise<RichMenuRule | undefined> {
    const row = await this.db
      .selectFrom('rich_menu_rules')
      .selectAll()
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRule(row);
  }

  /** Adds a rule at its position (the end when none): later rules move down one place. */
  async createRule(botId: string, input: RichMenuRuleInput): Promise<RichMenuRule> {
    const id = crypto.randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom('rich_menu_rules')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('bot_id', '=', botId)
        .executeTakeFirstOrThrow();
      const position = Math.min(input.position ?? Number(n), Number(n));
      await trx
        .updateTable('rich_menu_rules')
        .set((eb) => ({ position: eb('position', '+', 1) }))
        .where('bot_id', '=', botId)
        .where('position', '>=', position)
        .execute();
      await trx
        .insertInto('rich_menu_rules')
        .values({
          id,
          bot_id: botId,
          position,
          menu: input.menu,
          filter: JSON.stringify(input.filter),
        })
        .execute();
    });
    return (await this.rule(botId, id))!;
  }

  /** Replaces a rule's menu and filter, and moves it when a position is given. */
  async updateRule(
    botId: string,
    id: string,
    input: RichMenuRuleInput,
  ): Promise<RichMenuRule | undefined> {
    const existing = await this.rule(botId, id);
    if (!existing) return undefined;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('rich_menu_rules')
        .set({ menu: input.menu, filter: JSON.stringify(input.filter), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      if (input.position === undefined || input.position === existing.position) return;
      // Take the rule out of the order, then make room at its new place.
      const ids = (await this.orderedIds(trx, botId)).filter((x) => x !== id);
      ids.splice(Math.min(input.position, ids.length), 0, id);
      await renumber(trx, ids);
    });
    return this.rule(botId, id);
  }

  async deleteRule(botId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('rich_menu_rules')
        .where('bot_id', '=', botId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!gone.numDeletedRows) return false;
      await renumber(trx, await this.orderedIds(trx, botId));
      return true;
    });
  }

  private async orderedIds(trx: Kysely<Database>, botId: string): Promise<string[]> {
    const rows = await trx
      .selectFrom('rich_menu_rules')
      .select('id')
      .where('bot_id', '=', botId)
      .orderBy('position')
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.id);
  }
}

async function renumber(trx: Kysely<Database>, ids: string[]): Promise<void> {
  for (const [position, id] of ids.entries())
    await trx.updateTable('rich_menu_rules').set({ position }).where('id', '=', id).execute();
}

function toRule(r: {
  id: string;
  bot_id: string;
  position: number;
  menu: string;
  filter: unknown;
}): RichMenuRule {
  const filter = typeof r.filter === 'string' ? JSON.parse(r.filter) : r.filter;
  return { id: r.id, botId: r.bot_id, position: r.position, menu: r.menu, filter };
}
