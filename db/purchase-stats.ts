import { sql, type Kysely, type RawBuilder } from 'kysely';
import { BIRTHDAY_SYNC_CARTS } from '../crm/birthday-sync.ts';
import type { Database } from './schema.ts';

/**
 * Which friends to refresh: those linked (now or until just now) to some customers of one
 * connection (an import page, a webhook), given friends (a link made or removed by staff), or
 * every friend of a bot (repair).
 */
export type RefreshScope =
  | { connectionId: string; customerExternalIds: string[] }
  | { friendIds: string[] }
  | { botId: string };

/**
 * Recomputes what Kizuna derives from a friend's linked cart data, set-based for the friends in
 * scope: the purchase stats (F4.2) and the birthday from carts (F4.4). Called inside the
 * transaction that changed orders, customers or links, so readers never see the stats lag the
 * data they are derived from. Idempotent: running it twice changes nothing more.
 */
export async function refreshFriendPurchases(
  db: Kysely<Database>,
  scope: RefreshScope,
): Promise<void> {
  const friends = friendsIn(scope);
  // Two transactions may refresh one friend at once (the orders and customers imports, a
  // webhook). Under READ COMMITTED the later upsert would then write figures computed without the
  // other's uncommitted orders. Locking the friends first (in id order, so never a deadlock) makes
  // the later one wait, and its statements below then see what the first committed.
  await sql`select id from friends where id in (${friends}) order by id for no key update`.execute(
    db,
  );
  await refreshStats(db, friends);
  await syncBirthdays(db, friends);
}

/**
 * The friend ids in scope, as a subquery. Suppressed links count here: a friend just unlinked by
 * staff must be refreshed too, to lose that customer's orders.
 */
function friendsIn(scope: RefreshScope): RawBuilder<unknown> {
  if ('connectionId' in scope)
    return sql`select distinct friend_id from links where connection_id = ${scope.connectionId}
      and customer_external_id = any(${scope.customerExternalIds}::text[])`;
  if ('friendIds' in scope) return sql`select unnest(${scope.friendIds}::text[])`;
  return sql`select id from friends where bot_id = ${scope.botId}`;
}

/**
 * One insert … select … on conflict for all friends in scope. Every friend in scope gets a row,
 * zeros included, so a friend whose last order was cancelled or whose customer was unlinked loses
 * the old figures. Cancelled orders never count (cart_orders.cancelled, set by each connector).
 */
async function refreshStats(db: Kysely<Database>, friends: RawBuilder<unknown>): Promise<void> {
  await sql`
    with scope as (select f.id, f.bot_id from friends f where f.id in (${friends})),
    orders as (
      select s.id as friend_id, o.total_amount, o.ordered_at, o.items
      from scope s
      join links l on l.friend_id = s.id and not l.suppressed
      join cart_orders o on o.connection_id = l.connection_id
        and o.customer_external_id = l.customer_external_id and not o.cancelled),
    totals as (
      select friend_id, count(*) as order_count, sum(total_amount) as total_amount,
        round(avg(total_amount), 2) as average_amount,
        min(ordered_at) as first_ordered_at, max(ordered_at) as last_ordered_at
      from orders group by friend_id),
    codes as (
      select friend_id,
        coalesce(array_agg(distinct i->>'productCode') filter (where i->>'productCode' <> ''), '{}') as product_codes,
        coalesce(array_agg(distinct i->>'courseCode') filter (where i->>'courseCode' <> ''), '{}') as course_codes
      from orders cross join lateral jsonb_array_elements(items) as i
      group by friend_id)
    insert into friend_purchase_stats as p (friend_id, bot_id, order_count, total_amount,
      average_amount, first_ordered_at, last_ordered_at, product_codes, course_codes, refreshed_at)
    select s.id, s.bot_id, coalesce(t.order_count, 0), coalesce(t.total_amount, 0),
      t.average_amount, t.first_ordered_at, t.last_ordered_at,
      coalesce(c.product_codes, '{}'), coalesce(c.course_codes, '{}'), now()
    from scope s
    left join totals t on t.friend_id = s.id
    left join codes c on c.friend_id = s.id
    on conflict (friend_id) do update set
      order_count = excluded.order_count, total_amount = excluded.total_amount,
      average_amount = excluded.average_amount, first_ordered_at = excluded.first_ordered_at,
      last_ordered_at = excluded.last_ordered_at, product_codes = excluded.product_codes,
      course_codes = excluded.course_codes, refreshed_at = excluded.refreshed_at`.execute(db);
}

/**
 * F4.4: the birthday of the earliest-linked customer that has one, among connections that sync
 * birthdays (a cart that may, and the shop turned it on). A customer without a birthday changes
 * nothing, and a birthday the friend entered (a form: any source but 'cart') is never overwritten.
 */
async function syncBirthdays(db: Kysely<Database>, friends: RawBuilder<unknown>): Promise<void> {
  await sql`
    update friends f set birthday = b.birthday, birthday_source = 'cart', updated_at = now()
    from (
      select distinct on (l.friend_id) l.friend_id, c.birthday
      from links l
      join connections k on k.id = l.connection_id and k.birthday_sync
        and k.cart = any(${[...BIRTHDAY_SYNC_CARTS]}::text[])
      join cart_customers c on c.connection_id = l.connection_id
        and c.external_id = l.customer_external_id and c.birthday is not null
      where not l.suppressed and l.friend_id in (${friends})
      order by l.friend_id, l.created_at, l.connection_id, l.customer_external_id) b
    where f.id = b.friend_id
      and (f.birthday is null or f.birthday_source = 'cart')
      and f.birthday is distinct from b.birthday`.execute(db);
}
