import { OpenAPIHono } from '@hono/zod-openapi';
import { storableBody, webhookBodySchema } from '../../crm/line-events.ts';
import type { AppEnv } from '../app.ts';
import { AppError, invalidRequest } from '../errors.ts';
import { errorResponses } from '../openapi.ts';

/**
 * LINE's webhook (F1.2): verify the signature on the raw bytes, store each event keyed by its
 * webhookEventId, answer 200. Processing happens in the inbox processor, never here, so LINE's
 * 2-second budget is spent only on one insert.
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
    const { channelSecrets, inbox, verifySignature } = c.var.deps;
    const botId = c.req.param('botId');
    const secret = await channelSecrets.get(botId);
    if (secret === undefined) throw new AppError(404, 'not_found', 'bot not found');
    if (secret === null) {
      throw new AppError(
        404,
        'bot_not_configured',
        'this bot has no channel secret; set it before connecting the webhook',
      );
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (!(await verifySignature(secret, body, c.req.header('x-line-signature')))) {
      throw new AppError(401, 'invalid_signature', 'x-line-signature does not match the body');
    }
    const text = new TextDecoder().decode(body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError(400, 'malformed_json', 'the body is not valid JSON');
    }
    const parsed = webhookBodySchema.safeParse(json);
    if (!parsed.success) throw invalidRequest(parsed.error);
    await inbox.store({ botId, body: storableBody(text, json), events: parsed.data.events.length });
    return c.json({}, 200);
  });
  return app;
}
