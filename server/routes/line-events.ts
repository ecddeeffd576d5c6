import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { LineEventRepository, type FailedEvent } from '../../db/line-events.ts';
import type { AppEnv } from '../app.ts';
import { cursorId, cursorQuery, cursorTime, encodeCursor, limitQuery } from '../cursor.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, requireBot } from './params.ts';

const failedEventSchema = z
  .object({
    webhookEventId: z.string(),
    type: z.string(),
    lineUserId: z.string().nullable(),
    occurredAt: z.string(),
    receivedAt: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: "The last attempt's error" }),
    payload: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The event as LINE sent it' }),
  })
  .openapi('FailedLineEvent');

const failedKey = z.tuple([cursorTime, cursorId]);
const security = [{ adminToken: [] }];

const listFailed = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/line-events/failed',
  summary: 'LINE events that failed for good (after their last retry), newest first, with errors',
  security,
  request: {
    params: botParams,
    query: z.object({ cursor: cursorQuery(failedKey), limit: limitQuery }),
  },
  responses: {
    200: {
      description: 'A page of failed events',
      content: {
        'application/json': {
          schema: z
            .object({ items: z.array(failedEventSchema), nextCursor: z.string().nullable() })
            .openapi('FailedLineEventPage'),
        },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

// LINE's webhookEventIds are ULIDs; anything up to the stored limit is accepted and matched as is.
const webhookEventId = z.string().min(1).max(100);
const retryBody = z
  .union([
    z.strictObject({ webhookEventIds: z.array(webhookEventId).min(1).max(1000) }),
    z.strictObject({ all: z.literal(true) }),
  ])
  .openapi('RetryLineEvents', {
    description: 'Either `webhookEventIds` (1–1,000) or `{ "all": true }` for every failed event',
  });

const retry = createRoute({
  method: 'post',
  path: '/api/bots/{botId}/line-events/retry',
  summary: 'Run failed LINE events again, once their cause is fixed (only failed ones move)',
  security,
  request: {
    params: botParams,
    body: { required: true, content: { 'application/json': { schema: retryBody } } },
  },
  responses: {
    200: {
      description: 'The events put back in line for the worker',
      content: {
        'application/json': {
          schema: z.object({
            retried: z.array(z.string()).openapi({
              description: 'webhookEventIds moved back to pending; ids not failed are left alone',
            }),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

const present = (e: FailedEvent) => ({
  ...e,
  payload: e.payload as Record<string, unknown>,
  occurredAt: e.occurredAt.toISOString(),
  receivedAt: e.receivedAt.toISOString(),
});

/** Failed LINE events for operators (a poison event ends failed; F1.2): see and retry them. */
export function lineEventRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(listFailed, async (c) => {
      const { botId } = c.req.valid('param');
      const { cursor, limit } = c.req.valid('query');
      const found = await new LineEventRepository(c.var.deps.db.kysely).failed(botId, {
        after: cursor,
        limit,
      });
      if (found.items.length === 0) await requireBot(c, botId);
      return c.json(
        { items: found.items.map(present), nextCursor: found.next && encodeCursor(found.next) },
        200,
      );
    })
    .openapi(retry, async (c) => {
      const { botId } = c.req.valid('param');
      const body = c.req.valid('json');
      await requireBot(c, botId);
      const retried = await new LineEventRepository(c.var.deps.db.kysely).retryFailed(
        botId,
        'webhookEventIds' in body ? body.webhookEventIds : undefined,
      );
      return c.json({ retried }, 200);
    });
}
