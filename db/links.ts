import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CartKind } from '../crm/cart-kind.ts';
import {
  explainUnlinked,
  linkRulesFor,
  type LinkRule,
  type UnlinkedReason,
} from '../crm/link-rules.ts';
import type { ConnectionRef } from './cart-data.ts';
import type { Database } from './schema.ts';

export interface NewLink {
  friendId: string;
  connectionId: string;
  customerExternalId: string;
  rule: 'phone' | 'email' | 'line_id' | 'manual' | 'account_link';
}

/** Limits a pass to the friends or customers that just changed (undefined = everyone). */
export interface LinkScope {
  friendIds?: string[];
  customerExternalIds?: string[];
}

const RULE_NAME: Record<LinkRule, NewLink['rule']> = {
  phone_with_order: 'phone',
  verified_email: 'email',
  cart_line_id: 'line_id',
};

/**
 * The linking engine (F2.4–F2.6): one set-based insert per rule of the connection's cart, over
 * everyone or over the friends/customers that just changed. Links are only ever added here (a
 * link outlives later changes of phone or e-mail, F2.5); `on conflict do nothing` keeps passes
 * idempotent and leaves links staff removed (suppressed) alone.
 */
export class LinkEngine {
  constructor(private readonly db: Kysely<Database>) {}

  async link(connection: ConnectionRef, scope: LinkScope = {}): Promise<NewLink[]> {
    let created: NewLink[] = [];
    for (const rule of linkRulesFor(connection.cart)) {
      created = created.concat(await this.insertFor(rule, connection, scope));
    }
    return created;
  }

  private async insertFor(
    rule: LinkRule,
    connection: ConnectionRef,
    scope: LinkScope,
  ): Promise<NewLink[]> {
    const friendFilter = scope.friendIds ? sql`and f.id = any(${scope.friendIds}::text[])` : sql``;
    const customerFilter = scope.customerExternalIds
      ? sql`and c.external_id = any(${scope.customerExternalIds}::text[])`
      : sql``;
    const match = matchClause(rule);
    // A friend's "linked at" (F1.4) is the first of its links' created_at: derived, not stored.
    const result = await sql<{ friend_id: string; customer_external_id: string }>`
      insert into links (bot_id, friend_id, connection_id, customer_external_id, rule)
      select f.bot_id, f.id, c.connection_id, c.external_id, ${RULE_NAME[rule]}
      from cart_customers c ${match}
      where c.connection_id = ${connection.id} ${friendFilter} ${customerFilter}
      on conflict do nothing
      returning friend_id, customer_external_id`.execute(this.db);
    return result.rows.map((r) => ({
      friendId: r.friend_id,
      connectionId: connection.id,
      customerExternalId: r.customer_external_id,
      rule: RULE_NAME[rule],
    }));
  }

  /** Friends of a bot (or these of its friends) with no link, with the reason per connected cart. */
  async unlinked(botId: string, limit = 100, friendIds?: string[]): Promise<UnlinkedFriend[]> {
    const only = friendIds ? sql`and id = any(${friendIds}::text[])` : sql``;
    const rows = await sql<UnlinkedRow>`
      with unlinked as (
        select * from friends
        where bot_id = ${botId} ${only}
          and not exists (select 1 from links l where l.friend_id = friends.id and not l.suppressed)
        order by created_at desc, id
        limit ${limit})
      select f.id as friend_id, f.phone_key, f.email_key, c.id as connection_id, c.cart,
        coalesce((select json_agg(json_build_object('orderCount',
            (select count(*) from cart_orders o where o.connection_id = cc.connection_id
              and o.customer_external_id = cc.external_id)))
          from cart_customers cc where f.phone_key is not null and cc.connection_id = c.id
            and cc.phone_keys @> array[f.phone_key]), '[]') as phone_matches,
        coalesce((select json_agg(json_build_object('verified', cc.email_verified is not false))
          from cart_customers cc where f.email_key is not null and cc.connection_id = c.id
            and cc.email_key = f.email_key), '[]') as email_matches,
        (select count(*) from cart_customers cc where cc.connection_id = c.id
            and cc.line_user_id = f.line_user_id) as line_matches,
        -- LINE user ids are per provider: a cart whose ids match none of the bot's friends logs
        -- shoppers in through another provider's channel, and can never link by LINE id.
        (exists (select 1 from cart_customers cc where cc.connection_id = c.id and cc.line_user_id is not null)
          and not exists (select 1 from cart_customers cc join friends g on g.bot_id = cc.bot_id
            and g.line_user_id = cc.line_user_id where cc.connection_id = c.id)) as other_channel
      from unlinked f join connections c on c.bot_id = f.bot_id and c.disconnected_at is null
      order by f.created_at desc, f.id, c.id`.execute(this.db);
    const byFriend = new Map<string, UnlinkedFriend>();
    for (const row of rows.rows) {
      const entry = byFriend.get(row.friend_id) ?? { friendId: row.friend_id, carts: [] };
      byFriend.set(row.friend_id, entry);
      const reason = explainUnlinked(row.cart, {
        phone: row.phone_key,
        email: row.email_key,
        phoneMatches: row.phone_matches.map((m) => ({ orderCount: Number(m.orderCount) })),
        emailMatches: row.email_matches,
        lineIdMatches: Number(row.line_matches),
        lineIdsFromOtherChannel: row.other_channel,
      });
      if (reason) entry.carts.push({ connectionId: row.connection_id, cart: row.cart, reason });
    }
    return [...byFriend.values()];
  }
}

export interface UnlinkedFriend {
  friendId: string;
  carts: Array<{ connectionId: string; cart: CartKind; reason: UnlinkedReason }>;
}

interface UnlinkedRow {
  friend_id: string;
  phone_key: string | null;
  email_key: string | null;
  connection_id: string;
  cart: CartKind;
  phone_matches: Array<{ orderCount: number | string }>;
  email_matches: Array<{ verified: boolean }>;
  line_matches: string | number;
  other_channel: boolean;
}

/** The join from a cart customer `c` to the friends `f` a rule links it to. */
function matchClause(rule: LinkRule): RawBuilder<unknown> {
  switch (rule) {
    case 'phone_with_order':
      // unnest + equality (not `= any(array)`) so a full pass is one hash join.
      return sql`cross join lateral unnest(c.phone_keys) as p(key)
        join friends f on f.bot_id = c.bot_id and f.phone_key = p.key
        and exists (select 1 from cart_orders o where o.connection_id = c.connection_id
          and o.customer_external_id = c.external_id)`;
    case 'verified_email':
      // A cart with no notion of verification (null) links by its rule; false never links.
      return sql`join friends f on f.bot_id = c.bot_id and f.email_key = c.email_key
        and c.email_key is not null and c.email_verified is not false`;
    case 'cart_line_id':
      return sql`join friends f on f.bot_id = c.bot_id and f.line_user_id = c.line_user_id
        and c.line_user_id is not null`;
    default: {
      const unreachable: never = rule;
      throw new Error(`unknown rule ${String(unreachable)}`);
    }
  }
}
