import { sql, type Kysely } from 'kysely';
import type { FriendAddRoute, RouteCreate } from '../crm/route.ts';
import type { Database } from './schema.ts';

/** Friend-add routes of a bot, each with the number of friends it brought. */
export class RouteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(botId: string): Promise<FriendAddRoute[]> {
    const rows = await this.select(botId).orderBy('routes.created_at').execute();
    return rows.map(toRoute);
  }

  async get(botId: string, id: string): Promise<FriendAddRoute | undefined> {
    const row = await this.select(botId).where('routes.id', '=', id).executeTakeFirst();
    return row && toRoute(row);
  }

  /** Resolves to undefined when the bot already has a route with this code. */
  async create(botId: string, input: RouteCreate): Promise<FriendAddRoute | undefined> {
    const row = await this.db
      .insertInto('routes')
      .values({ id: crypto.randomUUID(), bot_id: botId, code: input.code, name: input.name })
      .onConflict((oc) => oc.columns(['bot_id', 'code']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toRoute({ ...row, friends: '0' });
  }

  async rename(botId: string, id: string, name: string): Promise<FriendAddRoute | undefined> {
    const updated = await this.db
      .updateTable('routes')
      .set({ name })
      .where('bot_id', '=', botId)
      .where('id', '=', id)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n ? this.get(botId, id) : undefined;
  }

  private select(botId: string) {
    return this.db
      .selectFrom('routes')
      .leftJoin('friends', 'friends.route_id', 'routes.id')
      .select(['routes.id', 'routes.bot_id', 'routes.code', 'routes.name', 'routes.created_at'])
      .select(sql<string>`count(friends.id)`.as('friends'))
      .where('routes.bot_id', '=', botId)
      .groupBy('routes.id');
  }
}

function toRoute(row: {
  id: string;
  bot_id: string;
  code: string;
  name: string;
  created_at: Date;
  friends: string | number;
}): FriendAddRoute {
  return {
    id: row.id,
    botId: row.bot_id,
    code: row.code,
    name: row.name,
    friends: Number(row.friends),
    createdAt: row.created_at,
  };
}
