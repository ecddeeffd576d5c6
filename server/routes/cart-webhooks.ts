import { OpenAPIHono } from '@hono/zod-openapi';
import { connectorFor } from '../../carts/index.ts';
import { applyWebhookChanges } from '../../jobs/cart-import.ts';
import type { AppEnv } from '../app.ts';
import { AppError } from '../errors.ts';
import { errorResponses } from '../openapi.ts';

/**
 * Cart webhooks (F3.8): verified by the cart's own scheme on the raw bytes, deduplicated by the
 * cart's delivery id, and applied at once like an import page (never going back in time).
 */
export function cartWebhookRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/webhooks/carts/{connectionId}',
    summary: "A cart's webhook (verified with the cart's own signature scheme)",
    responses: {
      200: { description: 'Applied, or already applied' },
      ...errorResponses(400, 401, 404, 413),
    },
  });

  app.post('/webhooks/carts/:connectionId', async (c) => {
    const { connections, db, logger } = c.var.deps;
    const connection = await connections.get(c.req.param('connectionId'));
    if (!connection || connection.disconnectedAt)
      throw new AppError(404, 'not_found', 'connection not found');
    const webhooks = connectorFor(connection.cart)?.webhooks;
    if (!webhooks)
      throw new AppError(404, 'not_found', `${connection.cart} sends no webhooks to Kizuna`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const credentials = await connections.credentials(connection.id);
    if (!(await webhooks.verify(credentials, c.req.raw.headers, body))) {
      throw new AppError(401, 'invalid_signature', 'the webhook signature does not match the body');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new AppError(400, 'malformed_json', 'the body is not valid JSON');
    }
    const deliveryId = webhooks.deliveryId(c.req.raw.headers);
    const changes = webhooks.parse(c.req.raw.headers, payload);
    const links = await applyWebhookChanges(
      db,
      connection,
      changes,
      deliveryId ? { id: deliveryId, topic: c.req.header('x-shopify-topic') ?? null } : null,
      c.var.deps.timeZone,
    );
    if (links === 'duplicate') return c.json({ duplicate: true }, 200);
    logger.debug('cart webhook applied', {
      connectionId: connection.id,
      changes: changes.length,
      links: links.length,
    });
    return c.json({ applied: changes.length }, 200);
  });
  return app;
}
