import { z } from '@hono/zod-openapi';
import { filterQuerySchema, filterSchema, type Filter } from '../../crm/filter.ts';
import { invalidRequest } from '../errors.ts';

/**
 * `?filter=`: a filter (F5.2) as URL-encoded JSON. Declared as a plain string for the OpenAPI
 * document and parsed in the handler, so a bad filter answers 400 naming the path inside the
 * expression (`filter.filters.0.range.to`).
 */
export const filterQuery = z.string().max(20_000).optional().openapi({
  description:
    'A filter as URL-encoded JSON, e.g. {"kind":"tags","match":"any","tagIds":["…"]} (see README)',
});

export function parseFilterQuery(text: string | undefined): Filter | undefined {
  if (text === undefined) return undefined;
  const parsed = filterQuerySchema.safeParse(text);
  if (!parsed.success) throw invalidRequest(parsed.error, 'filter');
  return parsed.data;
}

/**
 * A filter inside a JSON body, as the OpenAPI document shows it. The recursive schema itself is
 * applied by `parseFilter` in the handler (the document generator cannot walk `z.lazy`).
 */
export const filterBody = z
  .record(z.string(), z.unknown())
  .openapi({ type: 'object', description: 'A filter (F5.2): see README, "Filters"' });

export function parseFilter(value: unknown, where = 'filter'): Filter {
  const parsed = filterSchema.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error, where);
  return parsed.data;
}
