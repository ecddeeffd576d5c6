import { sql, type Kysely, type Selectable } from 'kysely';
import type { CartKind } from '../crm/cart-kind.ts';
import type { ConnectionRef } from './cart-data.ts';
import type { ConnectionsTable, Database } from './schema.ts';
import type { SecretBox } from './secret-box.ts';

export type ConnectionStatus = 'connected' | 'syncing' | 'error' | 'disconnected';

export interface Connection extends ConnectionRef {
  name: string;
  baseUrl: string | null;
  status: ConnectionStatus;
  lastError: string | null;
  lastErrorKind: string | null;
  lastSuccessAt: Date | null;
  birthdaySync: boolean;
  /** Other bots with a live connection to the same store (F3.3: allowed, but warned about). */
  sharedWith: string[];
  createdAt: Date;
  disconnectedAt: Date | null;
}

/** Cart connections of a bot; credentials sealed as one JSON document, never returned by reads. */
export class ConnectionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async get(id: string): Promise<Connection | undefined> {
    const row = await this.select().where('c.id', '=', id).executeTakeFirst();
    return row && toConnection(row);
  }

  async list(botId: string): Promise<Connection[]> {
    const rows = await this.select()
      .where('c.bot_id', '=', botId)
      .orderBy('c.created_at')
      .execute();
    return rows.map(toConnection);
  }

  private select() {
    return this.db
      .selectFrom('connections as c')
      .selectAll('c')
      .select(
        sql<string[]>`array(select o.bot_id from connections o
          where o.cart = c.cart and o.store_key = c.store_key and o.bot_id <> c.bot_id
            and o.disconnected_at is null and c.disconnected_at is null
          order by o.bot_id)`.as('shared_with'),
      );
  }

  /** Resolves to undefined when the bot already has a live connection to this cart (F3.3). */
  async create(input: {
    botId: string;
    cart: CartKind;
    name: string;
    credentials: object;
    baseUrl?: string | null;
    birthdaySync?: boolean;
    storeKey?: string | null;
  }): Promise<Connection | undefined> {
    const row = await this.db
      .insertInto('connections')
      .values({
        id: crypto.randomUUID(),
        bot_id: input.botId,
        cart: input.cart,
        name: input.name,
        credentials_sealed: await this.box.seal(JSON.stringify(input.credentials)),
        base_url: input.baseUrl ?? null,
        birthday_sync: input.birthdaySync ?? false,
        store_key: input.storeKey ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['bot_id', 'cart']).where('disconnected_at', 'is', null).doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    return row && this.get(row.id);
  }

  async credentials(id: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('connections')
      .select('credentials_sealed')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return JSON.parse(await this.box.open(row.credentials_sealed)) as unknown;
  }

  async setStatus(
    id: string,
    status: ConnectionStatus,
    error?: { kind: string; message: string } | null,
  ): Promise<void> {
    await this.db
      .updateTable('connections')
      .set({
        status,
        updated_at: sql`now()`,
        ...(status === 'connected'
          ? { last_success_at: sql`now()`, last_error: null, last_error_kind: null }
          : {}),
        ...(error ? { last_error: error.message, last_error_kind: error.kind } : {}),
      })
      .where('id', '=', id)
      .where('disconnected_at', 'is', null)
      .execute();
  }

  /** Stops future syncs; imported data stays (F3.6). */
  async disconnect(id: string): Promise<void> {
    await this.db
      .updateTable('connections')
      .set({ status: 'disconnected', disconnected_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }
}

function toConnection(row: Selectable<ConnectionsTable> & { shared_with: string[] }): Connection {
  return {
    id: row.id,
    botId: row.bot_id,
    cart: row.cart as CartKind,
    name: row.name,
    baseUrl: row.base_url,
    status: row.status as ConnectionStatus,
    lastError: row.last_error,
    lastErrorKind: row.last_error_kind,
    lastSuccessAt: row.last_success_at,
    birthdaySync: row.birthday_sync,
    sharedWith: row.shared_with,
    createdAt: row.created_at,
    disconnectedAt: row.disconnected_at,
  };
}
