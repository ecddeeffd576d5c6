import type { Kysely, Selectable } from 'kysely';
import type { Bot, BotCreate, BotCredentials, BotUpdate } from '../crm/bot.ts';
import type { BotsTable, Database } from './schema.ts';
import type { SecretBox } from './secret-box.ts';

export class BotRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async list(): Promise<Bot[]> {
    const rows = await this.db.selectFrom('bots').selectAll().orderBy('created_at').execute();
    return rows.map(toBot);
  }

  async get(id: string): Promise<Bot | undefined> {
    const row = await this.db
      .selectFrom('bots')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toBot(row);
  }

  /** Bots whose sending LINE stopped at the monthly limit, until staff clear it. */
  async sendingPaused(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bots')
      .select('id')
      .where('sending_paused_reason', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Inserts a bot; resolves to undefined when the id is taken. */
  async create(id: string, input: Omit<BotCreate, 'id'>): Promise<Bot | undefined> {
    const row = await this.db
      .insertInto('bots')
      .values({ id, name: input.name, ...(await this.columns(input)) })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toBot(row);
  }

  async update(id: string, input: BotUpdate): Promise<Bot | undefined> {
    const changes = { ...(await this.columns(input)), ...(input.name ? { name: input.name } : {}) };
    const row = await this.db
      .updateTable('bots')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toBot(row);
  }

  /** Creates or updates in one statement (the single-bot start keeps bot `default` in step). */
  async upsert(id: string, input: Omit<BotCreate, 'id'>): Promise<Bot> {
    const columns = await this.columns(input);
    const row = await this.db
      .insertInto('bots')
      .values({ id, name: input.name, ...columns })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, updated_at: new Date() }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toBot(row);
  }

  async credentials(id: string): Promise<BotCredentials | undefined> {
    const row = await this.db
      .selectFrom('bots')
      .select(['channel_secret_sealed', 'access_token_sealed'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      channelSecret: row.channel_secret_sealed
        ? await this.box.open(row.channel_secret_sealed)
        : null,
      channelAccessToken: row.access_token_sealed
        ? await this.box.open(row.access_token_sealed)
        : null,
    };
  }

  /** The secret the shop's login page signs its return with (F2.8), when set. */
  async accountLinkSecret(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('bots')
      .select('account_link_secret_sealed')
      .where('id', '=', id)
      .executeTakeFirst();
    const sealed = row?.account_link_secret_sealed;
    return sealed ? this.box.open(sealed) : undefined;
  }

  /** Maps API fields to columns, sealing secrets; absent fields are left out (left unchanged). */
  private async columns(input: BotUpdate) {
    return {
      ...(input.channelId !== undefined ? { channel_id: input.channelId } : {}),
      ...(input.liffId !== undefined ? { liff_id: input.liffId } : {}),
      ...(input.loginChannelId !== undefined ? { login_channel_id: input.loginChannelId } : {}),
      ...(input.accountLinkUrl !== undefined ? { account_link_url: input.accountLinkUrl } : {}),
      ...(input.accountLinkSecret !== undefined
        ? { account_link_secret_sealed: await this.box.seal(input.accountLinkSecret) }
        : {}),
      ...(input.channelSecret !== undefined
        ? { channel_secret_sealed: await this.box.seal(input.channelSecret) }
        : {}),
      ...(input.channelAccessToken !== undefined
        ? { access_token_sealed: await this.box.seal(input.channelAccessToken) }
        : {}),
    };
  }
}

function toBot(row: Selectable<BotsTable>): Bot {
  return {
    id: row.id,
    name: row.name,
    channelId: row.channel_id,
    liffId: row.liff_id,
    loginChannelId: row.login_channel_id,
    accountLinkUrl: row.account_link_url,
    hasAccountLinkSecret: row.account_link_secret_sealed !== null,
    hasChannelSecret: row.channel_secret_sealed !== null,
    hasChannelAccessToken: row.access_token_sealed !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
