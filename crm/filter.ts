import { z } from 'zod';

/**
 * Filters (segments, F5.2): one JSON expression, and/or/not over conditions. The same value is
 * compiled to one SQL query (db/filter-sql.ts) and evaluated in memory (crm/filter-eval.ts); the
 * two must agree, which property tests check. Every object is strict, so an unknown field is an
 * error naming its path inside the expression rather than a condition silently ignored.
 */

const id = z.string().min(1).max(200);
const ids = z.array(id).min(1).max(100);
const code = z.string().min(1).max(200);

/** A calendar day in shop time (inclusive bounds). */
const day = z.iso.date();
/** Both ends required: an open-ended range is refused (its `to` is named as missing). */
const dayRange = z
  .strictObject({ from: day, to: day })
  .refine((r) => r.from <= r.to, { message: 'must not end before it starts', path: ['to'] });

/** A birthday bound without a year: MM-DD. */
const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be MM-DD (e.g. 04-01)');

export const COMPARISONS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];
const comparison = z.enum(COMPARISONS);
const amount = z.number().finite().min(0).max(1e12);

/** As crm/subscription-status.ts normalizes them. */
export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'cancelled', 'unknown'] as const;

export const FOLLOW_STATUSES = ['following', 'blocked', 'unknown'] as const;

export const CUSTOM_DATA_OPS = ['eq', 'contains', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type CustomDataOp = (typeof CUSTOM_DATA_OPS)[number];

const conditions = [
  /** Has all / any / none of these tags. */
  z.strictObject({ kind: z.literal('tags'), match: z.enum(['all', 'any', 'none']), tagIds: ids }),
  /** Linked to some cart customer (or to one in this connection), or not. */
  z.strictObject({ kind: z.literal('linked'), linked: z.boolean(), connectionId: id.optional() }),
  /** First followed on a day in the range. */
  z.strictObject({ kind: z.literal('friendAdded'), range: dayRange }),
  z.strictObject({ kind: z.literal('follow'), statuses: z.array(z.enum(FOLLOW_STATUSES)).min(1) }),
  /** Bought any of these products or courses (in a non-cancelled order), optionally within days. */
  z
    .strictObject({
      kind: z.literal('purchased'),
      productCodes: z.array(code).max(100).optional(),
      courseCodes: z.array(code).max(100).optional(),
      range: dayRange.optional(),
    })
    .refine((c) => (c.productCodes?.length ?? 0) + (c.courseCodes?.length ?? 0) > 0, {
      message: 'needs productCodes or courseCodes',
      path: ['productCodes'],
    }),
  /** Purchase figures (F4.2): order count, total and average amount. */
  z
    .strictObject({
      kind: z.literal('purchaseStat'),
      stat: z.enum(['orderCount', 'totalAmount', 'averageAmount']),
      op: comparison,
      value: amount,
    })
    .refine((c) => c.stat !== 'orderCount' || Number.isInteger(c.value), {
      message: 'must be a whole number for orderCount',
      path: ['value'],
    }),
  /** Has a subscription in one of these statuses (of these courses, when given). */
  z.strictObject({
    kind: z.literal('subscription'),
    statuses: z.array(z.enum(SUBSCRIPTION_STATUSES)).min(1),
    courseCodes: z.array(code).max(100).optional(),
  }),
  /** The highest subscription delivery number reached (定期 n 回目) compared with `value`. */
  z.strictObject({
    kind: z.literal('subscriptionDelivery'),
    op: comparison,
    value: z.number().int().min(0).max(10_000),
  }),
  /** Birthday between two MM-DD days, any year; from > to wraps the new year (12-20 → 01-10). */
  z.strictObject({ kind: z.literal('birthday'), from: monthDay, to: monthDay }),
  /** A linked customer's cart data field (F4.6): equal, contains, numeric comparison, present. */
  z
    .strictObject({
      kind: z.literal('customData'),
      key: z.string().min(1).max(200),
      op: z.enum(CUSTOM_DATA_OPS),
      value: z.union([z.string().max(1000), z.number().finite(), z.boolean()]).optional(),
    })
    .superRefine((c, ctx) => {
      const numeric = c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte';
      if (c.op === 'exists') {
        if (c.value !== undefined)
          ctx.addIssue({ code: 'custom', message: 'must be absent for exists', path: ['value'] });
      } else if (numeric ? typeof c.value !== 'number' : c.value === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: numeric ? 'must be a number' : 'is required',
          path: ['value'],
        });
      } else if (c.op === 'contains' && typeof c.value !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'must be a string', path: ['value'] });
      }
    }),
  /** Came in through one of these friend-add routes. */
  z.strictObject({ kind: z.literal('route'), routeIds: ids }),
] as const;

export const conditionSchema = z.discriminatedUnion('kind', conditions);
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionKind = Condition['kind'];

export type Filter =
  | { kind: 'and'; filters: Filter[] }
  | { kind: 'or'; filters: Filter[] }
  | { kind: 'not'; filter: Filter }
  | Condition;

export const MAX_FILTER_DEPTH = 8;

const nodeSchema: z.ZodType<Filter> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('and'), filters: z.array(nodeSchema).max(50) }),
    z.strictObject({ kind: z.literal('or'), filters: z.array(nodeSchema).max(50) }),
    z.strictObject({ kind: z.literal('not'), filter: nodeSchema }),
    ...conditions,
  ]),
);

function depth(f: Filter): number {
  if (f.kind === 'and' || f.kind === 'or') return 1 + Math.max(0, ...f.filters.map(depth));
  if (f.kind === 'not') return 1 + depth(f.filter);
  return 1;
}

export const MAX_FILTER_NODES = 500;

function size(f: Filter): number {
  if (f.kind === 'and' || f.kind === 'or') return f.filters.reduce((n, x) => n + size(x), 1);
  if (f.kind === 'not') return 1 + size(f.filter);
  return 1;
}

/**
 * A filter of at most MAX_FILTER_NODES nodes nested at most MAX_FILTER_DEPTH levels: a bound on
 * the SQL it compiles to, whoever sends it.
 */
export const filterSchema = nodeSchema.superRefine((f, ctx) => {
  if (depth(f) > MAX_FILTER_DEPTH)
    ctx.addIssue({ code: 'custom', message: `nests deeper than ${MAX_FILTER_DEPTH} levels` });
  else if (size(f) > MAX_FILTER_NODES)
    ctx.addIssue({ code: 'custom', message: `has more than ${MAX_FILTER_NODES} parts` });
});

/** Everyone: an empty `and`. */
export const EVERYONE: Filter = { kind: 'and', filters: [] };

/** Friends born in `month` (1–12): a birthday range, for birth-month rules. */
export function bornIn(month: number): Filter {
  const mm = String(month).padStart(2, '0');
  return { kind: 'birthday', from: `${mm}-01`, to: `${mm}-31` };
}

/** Parses a filter given as URL-encoded JSON text (the `?filter=` of friend lists). */
export const filterQuerySchema = z
  .string()
  .max(20_000)
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(filterSchema);
