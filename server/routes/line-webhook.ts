import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app.ts';
import { errorResponses } from '../openapi.ts';

/**
 * LINE's webhook (F1.2) on Hono: the raw bytes to lineWebhookIntake, 200 once stored. The Node
 * server answers this path itself when it can (runtime/node-http.ts); this route serves every
 * other runtime and every request the direct path hands over.
 */
export function lineWebhookRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/webhooks/line/{botId}',
    summary: 'LINE webhook (x-line-signature verified on the raw body)',
    responses: { 200: { description: 'Events stored' }, ...errorResponses(400, 401, 404, 413) },
  });

  app.post('/webhooks/line/:botId', async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    await c.var.deps.lineWebhook(c.req.param('botId'), body, c.req.header('x-line-signature'));
    return c.json({}, 200);
  });
  return app;
}
