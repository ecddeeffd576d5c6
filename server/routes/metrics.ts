import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app.ts';
import { errorResponses } from '../openapi.ts';

/** Prometheus' scrape endpoint (F10.3): see metrics.ts for what it holds. */
export function metricsRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Metrics in the Prometheus text format (admin or metrics token)',
    security: [{ adminToken: [] }],
    responses: {
      200: {
        description: 'Counters of this process and gauges of the webhook pipeline',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
      ...errorResponses(401),
    },
  });
  app.get('/metrics', async (c) => {
    const { text, contentType } = await c.var.deps.metrics.exposition();
    return c.body(text, 200, { 'content-type': contentType });
  });
  return app;
}
