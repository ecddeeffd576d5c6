import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app.ts';

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  database: z.object({
    ok: z.boolean(),
    dialect: z.enum(['pglite', 'postgres']),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
  }),
});

const route = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness and database check',
  responses: {
    200: { description: 'Healthy', content: { 'application/json': { schema: healthSchema } } },
    503: {
      description: 'The database does not answer',
      content: { 'application/json': { schema: healthSchema } },
    },
  },
});

export function healthRoutes() {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { db, version, logger } = c.var.deps;
    const dialect = db.driver.kind;
    try {
      const latencyMs = Math.round((await db.ping()) * 100) / 100;
      return c.json(
        { status: 'ok' as const, version, database: { ok: true, dialect, latencyMs } },
        200,
      );
    } catch (error) {
      logger.error('health check: database unreachable', { error });
      return c.json(
        {
          status: 'degraded' as const,
          version,
          database: { ok: false, dialect, error: 'database unreachable' },
        },
        503,
      );
    }
  });
}
