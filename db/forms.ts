import type { Kysely } from 'kysely';
import {
  formDefinitionSchema,
  IDENTITY_FORM,
  IDENTITY_FORM_KEY,
  type FormDefinition,
} from '../crm/form.ts';
import type { Database } from './schema.ts';

/**
 * Forms as data (F2.2). The identity form (本人確認フォーム) exists for every bot without a row:
 * the template answers until staff save their own version of it.
 */
export class FormRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(botId: string, key: string): Promise<FormDefinition | undefined> {
    const row = await this.db
      .selectFrom('forms')
      .select('definition')
      .where('bot_id', '=', botId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (row) return formDefinitionSchema.parse(row.definition);
    return key === IDENTITY_FORM_KEY ? IDENTITY_FORM : undefined;
  }

  async list(botId: string): Promise<FormDefinition[]> {
    const rows = await this.db
      .selectFrom('forms')
      .select('definition')
      .where('bot_id', '=', botId)
      .orderBy('key')
      .execute();
    const forms = rows.map((r) => formDefinitionSchema.parse(r.definition));
    if (!forms.some((f) => f.key === IDENTITY_FORM_KEY)) forms.unshift(IDENTITY_FORM);
    return forms;
  }

  /** Inserts a new form; undefined when the key is taken (the identity template counts). */
  async create(botId: string, form: FormDefinition): Promise<FormDefinition | undefined> {
    if (form.key === IDENTITY_FORM_KEY) return undefined;
    const row = await this.db
      .insertInto('forms')
      .values({ bot_id: botId, key: form.key, definition: JSON.stringify(form) })
      .onConflict((oc) => oc.columns(['bot_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return row ? form : undefined;
  }

  /** Creates or replaces a form. */
  async put(botId: string, form: FormDefinition): Promise<FormDefinition> {
    const definition = JSON.stringify(form);
    await this.db
      .insertInto('forms')
      .values({ bot_id: botId, key: form.key, definition })
      .onConflict((oc) =>
        oc.columns(['bot_id', 'key']).doUpdateSet({ definition, updated_at: new Date() }),
      )
      .execute();
    return form;
  }
}
