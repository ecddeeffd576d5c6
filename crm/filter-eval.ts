import type { Comparison, Condition, Filter } from './filter.ts';

/**
 * The in-memory meaning of a filter, over everything Kizuna knows about one friend. It is the
 * reference the SQL compiler (db/filter-sql.ts) is tested against, so it is written for
 * obviousness, not speed: figures are derived from the orders here, not read from stats.
 */

export interface SnapshotOrder {
  orderedAt: Date;
  totalAmount: number;
  cancelled: boolean;
  items: { productCode: string; courseCode?: string | null }[];
  subscriptionSequence: number | null;
}

/** A cart customer the friend is linked to (links staff removed are left out). */
export interface SnapshotCustomer {
  connectionId: string;
  customData: Record<string, unknown> | null;
  orders: SnapshotOrder[];
  subscriptions: { status: string; courseCode: string | null }[];
}

export interface FriendSnapshot {
  id: string;
  routeId: string | null;
  firstFollowedAt: Date | null;
  lastFollowedAt: Date | null;
  blockedAt: Date | null;
  /** How the friend became known ('follow', 'import', ...). */
  source: string;
  /** YYYY-MM-DD or null. */
  birthday: string | null;
  tagIds: string[];
  customers: SnapshotCustomer[];
}

export interface EvalContext {
  /** Shop time zone: date ranges are days there. */
  timeZone: string;
}

/** Same rule as the friend list's followStatus (db/friend-queries.ts). */
export function followStatusOf(f: FriendSnapshot): 'following' | 'blocked' | 'unknown' {
  if (f.blockedAt) return 'blocked';
  if (f.lastFollowedAt || f.source === 'import') return 'following';
  return 'unknown';
}

export function compare(left: number, op: Comparison, right: number): boolean {
  switch (op) {
    case 'eq':
      return left === right;
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    default: {
      const unknown: never = op;
      throw new Error(`unknown comparison ${String(unknown)}`);
    }
  }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayIn(at: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

const inRange = (at: Date, range: { from: string; to: string }, tz: string) => {
  const d = dayIn(at, tz);
  return d >= range.from && d <= range.to;
};

/** Text of a JSON value as PostgreSQL's `->>` gives it. */
export function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A number written plainly (what custom-data comparisons accept as numeric). */
export const NUMERIC_TEXT = /^-?[0-9]+(\.[0-9]+)?$/;

function customDataMatches(value: unknown, c: Extract<Condition, { kind: 'customData' }>) {
  if (c.op === 'exists') return value !== undefined;
  const text = jsonText(value);
  if (text === null) return false;
  switch (c.op) {
    case 'eq':
      return text === jsonText(c.value);
    case 'contains':
      return text.includes(String(c.value));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return NUMERIC_TEXT.test(text) && compare(Number(text), c.op, c.value as number);
    default: {
      const unknown: never = c.op;
      throw new Error(`unknown op ${String(unknown)}`);
    }
  }
}

const liveOrders = (f: FriendSnapshot) =>
  f.customers.flatMap((c) => c.orders).filter((o) => !o.cancelled);

function purchaseStat(f: FriendSnapshot, stat: 'orderCount' | 'totalAmount' | 'averageAmount') {
  const orders = liveOrders(f);
  const total = orders.reduce((sum, o) => sum + o.totalAmount, 0);
  switch (stat) {
    case 'orderCount':
      return orders.length;
    case 'totalAmount':
      return total;
    case 'averageAmount':
      // Stored rounded to 2 places (db/purchase-stats.ts); none without orders.
      return orders.length === 0 ? null : Math.round((total * 100) / orders.length) / 100;
    default: {
      const unknown: never = stat;
      throw new Error(`unknown stat ${String(unknown)}`);
    }
  }
}

export function matchesCondition(f: FriendSnapshot, c: Condition, ctx: EvalContext): boolean {
  switch (c.kind) {
    case 'tags': {
      const has = (id: string) => f.tagIds.includes(id);
      if (c.match === 'all') return c.tagIds.every(has);
      if (c.match === 'any') return c.tagIds.some(has);
      return !c.tagIds.some(has);
    }
    case 'linked': {
      const linked = f.customers.some(
        (k) => c.connectionId === undefined || k.connectionId === c.connectionId,
      );
      return linked === c.linked;
    }
    case 'friendAdded':
      return f.firstFollowedAt !== null && inRange(f.firstFollowedAt, c.range, ctx.timeZone);
    case 'follow':
      return c.statuses.includes(followStatusOf(f));
    case 'purchased':
      return liveOrders(f).some(
        (o) =>
          (!c.range || inRange(o.orderedAt, c.range, ctx.timeZone)) &&
          o.items.some(
            (i) =>
              (c.productCodes ?? []).includes(i.productCode) ||
              (!!i.courseCode && (c.courseCodes ?? []).includes(i.courseCode)),
          ),
      );
    case 'purchaseStat': {
      const value = purchaseStat(f, c.stat);
      return value !== null && compare(value, c.op, c.value);
    }
    case 'subscription':
      return f.customers.some((k) =>
        k.subscriptions.some(
          (s) =>
            (c.statuses as readonly string[]).includes(s.status) &&
            (!c.courseCodes || (s.courseCode !== null && c.courseCodes.includes(s.courseCode))),
        ),
      );
    case 'subscriptionDelivery': {
      const seqs = liveOrders(f)
        .map((o) => o.subscriptionSequence)
        .filter((n): n is number => n !== null);
      return seqs.length > 0 && compare(Math.max(...seqs), c.op, c.value);
    }
    case 'birthday': {
      if (!f.birthday) return false;
      const md = f.birthday.slice(5, 10);
      return c.from <= c.to ? md >= c.from && md <= c.to : md >= c.from || md <= c.to;
    }
    case 'customData':
      return f.customers.some(
        (k) =>
          k.customData !== null &&
          customDataMatches(
            Object.hasOwn(k.customData, c.key) ? k.customData[c.key] : undefined,
            c,
          ),
      );
    case 'route':
      return f.routeId !== null && c.routeIds.includes(f.routeId);
    default: {
      const unknown: never = c;
      throw new Error(`unknown condition ${JSON.stringify(unknown)}`);
    }
  }
}

export function matches(f: FriendSnapshot, filter: Filter, ctx: EvalContext): boolean {
  if (filter.kind === 'and') return filter.filters.every((x) => matches(f, x, ctx));
  if (filter.kind === 'or') return filter.filters.some((x) => matches(f, x, ctx));
  if (filter.kind === 'not') return !matches(f, filter.filter, ctx);
  return matchesCondition(f, filter, ctx);
}
