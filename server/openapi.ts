import { z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const descriptions: Record<number, string> = {
  400: 'Invalid input; `fields` names each bad field',
  401: 'Missing or wrong credentials',
  404: 'Not found',
  409: 'Conflicts with what is stored',
  413: 'Body too large',
};

/** The error responses a route can give, for its OpenAPI description. */
export function errorResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: descriptions[s] ?? 'Error',
        content: { 'application/json': { schema: errorSchema } },
      },
    ]),
  ) as Record<
    S,
    { description: string; content: { 'application/json': { schema: typeof errorSchema } } }
  >;
}

export function jsonBody<T extends ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}
