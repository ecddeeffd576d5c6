import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Comparison, Condition, Filter, FOLLOW_STATUSES } from '../crm/filter.ts';
import type { Database } from './schema.ts';

/**
 * Filters (F5.2) compiled to SQL: one boolean expression over `friends f`, usable as the where
 * clause of any query that names the friends table `f` (lists, counts, rule passes, rich-menu
 * assignment). Every value is a bound parameter; only fixed SQL text is ever written here.
 *
 * Shape of the SQL, for the planner's sake: each condition is a column test on `f` or an
 * (NOT) EXISTS over an indexed table keyed by friend, and negations are pushed down to the
 * conditions (negation normal form), so under a top-level AND PostgreSQL turns them into semi-
 * and anti-joins instead of running a subquery per friend. A condition never yields NULL, so
 * `not (...)` means exactly the in-memory evaluator's `!`.
 */

export interface FilterSqlOptions {
  /** Shop time zone: date ranges are days there (default Asia/Tokyo). */
  timeZone?: string | undefined;
}

export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

type Bool = RawBuilder<SqlBool>;
const TRUE: Bool = sql<SqlBool>`true`;
const FALSE: Bool = sql<SqlBool>`false`;

const all = (parts: Bool[]): Bool =>
  parts.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
const any = (parts: Bool[]): Bool =>
  parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
const not = (part: Bool): Bool => sql<SqlBool>`(not ${part})`;

/** The where clause selecting the friends of `botId` that match `filter`. */
export function filterWhere(botId: string, filter: Filter, options: FilterSqlOptions = {}): Bool {
  const tz = options.timeZone ?? DEFAULT_TIME_ZONE;
  return sql<SqlBool>`(f.bot_id = ${botId} and ${node(filter, false, tz)})`;
}

/** The ids of the matching friends, as a query to embed (`insert … select`, `in (…)`). */
export function friendIdsQuery(
  db: Kysely<Database>,
  botId: string,
  filter: Filter,
  options: FilterSqlOptions = {},
) {
  return db
    .selectFrom('friends as f')
    .select('f.id')
    .where(filterWhere(botId, filter, options));
}

export async function selectFriendIds(
  db: Kysely<Database>,
  botId: string,
  filter: Filter,
  options: FilterSqlOptions = {},
): Promise<string[]> {
  const rows = await friendIdsQuery(db, botId, filter, options).orderBy('f.id').execute();
  return rows.map((r) => r.id);
}

export async function countFriends(
  db: Kysely<Database>,
  botId: string,
  filter: Filter,
  options: FilterSqlOptions = {},
): Promise<number> {
  const row = await db
    .selectFrom('friends as f')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(filterWhere(botId, filter, options))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function node(filter: Filter, negate: boolean, tz: string): Bool {
  if (filter.kind === 'and' || filter.kind === 'or') {
    const parts = filter.filters.map((f) => node(f, negate, tz));
    // De Morgan: not (a and b) = not a or not b.
    return (filter.kind === 'and') !== negate ? all(parts) : any(parts);
  }
  if (filter.kind === 'not') return node(filter.filter, !negate, tz);
  return condition(filter, negate, tz);
}

const OPS: Record<Comparison, RawBuilder<unknown>> = {
  eq: sql`=`,
  gt: sql`>`,
  gte: sql`>=`,
  lt: sql`<`,
  lte: sql`<=`,
};

/** Days `from`–`to` (inclusive) of the shop's calendar, as a sargable test of a timestamptz. */
const withinDays = (column: RawBuilder<unknown>, range: { from: string; to: string }, tz: string) =>
  sql<SqlBool>`(${column} >= (${range.from}::date::timestamp at time zone ${tz})
    and ${column} < ((${range.to}::date + 1)::timestamp at time zone ${tz}))`;

/** Some link (not removed by staff) of the friend reaches a row satisfying `where`. */
const linkedOrder = (where: RawBuilder<unknown>): Bool => sql<SqlBool>`exists (
  select 1 from links l join cart_orders o on o.connection_id = l.connection_id
    and o.customer_external_id = l.customer_external_id
  where l.friend_id = f.id and not l.suppressed and not o.cancelled and ${where})`;

const tagged = (ids: RawBuilder<unknown>): Bool =>
  sql<SqlBool>`exists (select 1 from friend_tags ft where ft.friend_id = f.id and ${ids})`;

/** A condition, or its negation when `negate` (written directly where that plans better). */
function condition(c: Condition, negate: boolean, tz: string): Bool {
  const plain = positive(c, tz);
  return negate ? not(plain) : plain;
}

function positive(c: Condition, tz: string): Bool {
  switch (c.kind) {
    case 'tags': {
      if (c.match === 'all')
        return all([...new Set(c.tagIds)].map((id) => tagged(sql`ft.tag_id = ${id}`)));
      const some = tagged(sql`ft.tag_id = any(${c.tagIds}::text[])`);
      return c.match === 'any' ? some : not(some);
    }
    case 'linked': {
      const connection = c.connectionId ? sql`and l.connection_id = ${c.connectionId}` : sql``;
      const some = sql<SqlBool>`exists (select 1 from links l
        where l.friend_id = f.id and not l.suppressed ${connection})`;
      return c.linked ? some : not(some);
    }
    case 'friendAdded':
      return sql<SqlBool>`(f.first_followed_at is not null
        and ${withinDays(sql`f.first_followed_at`, c.range, tz)})`;
    case 'follow':
      // Plain column tests (not a CASE naming the status), so the planner estimates how many
      // friends pass from column statistics and picks hash joins for the rest of the filter.
      return any(c.statuses.map(followTest));
    case 'purchased': {
      const products = c.productCodes ?? [];
      const courses = c.courseCodes ?? [];
      if (!c.range)
        // Without dates the derived stats (F4.2) answer, kept current with the orders.
        return sql<SqlBool>`exists (select 1 from friend_purchase_stats s where s.friend_id = f.id
          and (s.product_codes && ${products}::text[] or s.course_codes && ${courses}::text[]))`;
      return linkedOrder(sql`${withinDays(sql`o.ordered_at`, c.range, tz)}
        and exists (select 1 from jsonb_array_elements(o.items) i
          where i->>'productCode' = any(${products}::text[])
            or i->>'courseCode' = any(${courses}::text[]))`);
    }
    case 'purchaseStat': {
      const column = {
        orderCount: sql`s.order_count`,
        totalAmount: sql`s.total_amount`,
        averageAmount: sql`s.average_amount`,
      }[c.stat];
      // The parameter takes the column's type, so the column keeps its statistics (and index).
      const value = c.stat === 'orderCount' ? sql`${c.value}::int` : sql`${c.value}::numeric`;
      const test = sql<SqlBool>`${column} ${OPS[c.op]} ${value}`;
      const row = (where: RawBuilder<unknown>) =>
        sql<SqlBool>`exists (select 1 from friend_purchase_stats s where s.friend_id = f.id and ${where})`;
      // A friend without a stats row has 0 orders and 0 total (and no average): when 0 passes
      // the test, "no row that fails it" keeps them in.
      if (c.stat !== 'averageAmount' && compareZero(c.op, c.value))
        return not(row(sql`not (${test})`));
      return row(test);
    }
    case 'subscription': {
      const course = c.courseCodes
        ? sql`and cs.course_code = any(${c.courseCodes}::text[])`
        : sql``;
      return sql<SqlBool>`exists (select 1 from links l join cart_subscriptions cs
        on cs.connection_id = l.connection_id and cs.customer_external_id = l.customer_external_id
        where l.friend_id = f.id and not l.suppressed
          and cs.status = any(${c.statuses}::text[]) ${course})`;
    }
    case 'subscriptionDelivery':
      return deliveryTest(c.op, c.value);
    case 'birthday': {
      const md = sql`to_char(f.birthday, 'MM-DD')`;
      const test =
        c.from <= c.to
          ? sql`${md} between ${c.from}::text and ${c.to}::text`
          : sql`(${md} >= ${c.from}::text or ${md} <= ${c.to}::text)`;
      return sql<SqlBool>`(f.birthday is not null and ${test})`;
    }
    case 'customData':
      return sql<SqlBool>`exists (select 1 from links l join cart_customers c
        on c.connection_id = l.connection_id and c.external_id = l.customer_external_id
        where l.friend_id = f.id and not l.suppressed and ${customData(c)})`;
    case 'route':
      return sql<SqlBool>`(f.route_id is not null and f.route_id = any(${c.routeIds}::text[]))`;
    default: {
      const unknown: never = c;
      throw new Error(`unknown condition ${JSON.stringify(unknown)}`);
    }
  }
}

/** The friend list's followStatus (db/friend-queries.ts), one status at a time. */
function followTest(status: (typeof FOLLOW_STATUSES)[number]): Bool {
  switch (status) {
    case 'blocked':
      return sql<SqlBool>`(f.blocked_at is not null)`;
    case 'following':
      return sql<SqlBool>`(f.blocked_at is null and (f.last_followed_at is not null or f.source = 'import'))`;
    case 'unknown':
      return sql<SqlBool>`(f.blocked_at is null and f.last_followed_at is null and f.source <> 'import')`;
    default: {
      const unknown: never = status;
      throw new Error(`unknown follow status ${String(unknown)}`);
    }
  }
}

function compareZero(op: Comparison, value: number): boolean {
  switch (op) {
    case 'eq':
      return value === 0;
    case 'gt':
      return 0 > value;
    case 'gte':
      return 0 >= value;
    case 'lt':
      return 0 < value;
    case 'lte':
      return 0 <= value;
    default: {
      const unknown: never = op;
      throw new Error(`unknown comparison ${String(unknown)}`);
    }
  }
}

/**
 * The highest delivery number reached compared with `n`, as EXISTS tests (semi-/anti-joins)
 * rather than a max() per friend: max ≥ n ⇔ some ≥ n; max < n ⇔ some and none ≥ n; max = n ⇔
 * some = n and none > n.
 */
function deliveryTest(op: Comparison, n: number): Bool {
  const some = (where: RawBuilder<unknown>) =>
    linkedOrder(sql`o.subscription_sequence is not null and ${where}`);
  switch (op) {
    case 'gt':
    case 'gte':
      return some(sql`o.subscription_sequence ${OPS[op]} ${n}::int`);
    case 'lt':
      return all([some(sql`true`), not(some(sql`o.subscription_sequence >= ${n}::int`))]);
    case 'lte':
      return all([some(sql`true`), not(some(sql`o.subscription_sequence > ${n}::int`))]);
    case 'eq':
      return all([
        some(sql`o.subscription_sequence = ${n}::int`),
        not(some(sql`o.subscription_sequence > ${n}::int`)),
      ]);
    default: {
      const unknown: never = op;
      throw new Error(`unknown comparison ${String(unknown)}`);
    }
  }
}

/** A cart-data test on `c.custom_data`; the key is a parameter too (`->>` takes text). */
function customData(c: Extract<Condition, { kind: 'customData' }>): RawBuilder<unknown> {
  const text = sql`(c.custom_data ->> ${c.key}::text)`;
  switch (c.op) {
    case 'exists':
      return sql`(c.custom_data -> ${c.key}::text) is not null`;
    case 'eq':
      return sql`${text} = ${jsonValueText(c.value)}::text`;
    case 'contains':
      return sql`strpos(${text}, ${String(c.value)}::text) > 0`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      // Only plainly written numbers compare; `case` keeps the cast from ever seeing other text.
      return sql`(case when ${text} ~ '^-?[0-9]+(\\.[0-9]+)?$' then ${text}::numeric end)
        ${OPS[c.op]} ${c.value as number}::numeric`;
    default: {
      const unknown: never = c.op;
      throw new Error(`unknown op ${String(unknown)}`);
    }
  }
}

/** As PostgreSQL's `->>` writes a JSON scalar. */
const jsonValueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
