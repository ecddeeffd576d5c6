import { OpenAPIHono } from '@hono/zod-openapi';
import { isPlainValidWebhookBody, storableBody, webhookBodySchema } from '../../crm/line-events.ts';
import type { AppEnv } from '../app.ts';
import { AppError, invalidRequest } from '../errors.ts';
import { errorResponses } from '../openapi.ts';

/** Refuses bytes that are not UTF-8 rather than storing replacement characters LINE never sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * LINE's webhook (F1.2): verify the signature on the raw bytes, validate the body, store it in the
 * inbox, answer 200. The worker takes it from there into line_events, each event keyed by its
 * webhookEventId, and processes it; LINE's 2-second budget is spent here on one append.
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
    const cached = channelSecrets.peek(botId);
    const secret = cached ? cached.secret : await channelSecrets.get(botId);
    if (secret === undefined) throw new AppError(404, 'not_found', 'bot not found');
    if (secret === null) {
      throw new AppError(
        404,
        'bot_not_configured',
        'this bot has no channel secret; set it before connecting the webhook',
      );
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    const verified = verifySignature(secret, body, c.req.header('x-line-signature'));
    if (!(typeof verified === 'boolean' ? verified : await verified)) {
      throw new AppError(401, 'invalid_signature', 'x-line-signature does not match the body');
    }
    let text: string;
    let json: unknown;
    try {
      text = utf8.decode(body);
      json = JSON.parse(text);
    } catch {
      throw new AppError(400, 'malformed_json', 'the body is not valid UTF-8 JSON');
    }
    if (!isPlainValidWebhookBody(json)) {
      const parsed = webhookBodySchema.safeParse(json);
      if (!parsed.success) throw invalidRequest(parsed.error);
    }
    const storable = storableBody(text, json);
    await inbox.store({
      botId,
      body: storable === text ? body : new TextEncoder().encode(storable),
      events: (json as { events: unknown[] }).events.length,
    });
    return c.json({}, 200);
  });
  return app;
}
