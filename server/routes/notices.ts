import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Notice } from '../../crm/notice.ts';
import { NoticeRepository } from '../../db/notices.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

const noticeSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['sync_failed']),
    subject: z.string().openapi({ description: 'What it is about (connection id and resource)' }),
    message: z.string(),
    occurrences: z.number().int().openapi({ description: 'Times it happened while open' }),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.enum(['recovered', 'staff']).nullable(),
  })
  .openapi('Notice');

const security = [{ adminToken: [] }];
const ok = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const list = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/notices',
  summary: 'Notices for staff (failed syncs, ...): open ones first, newest first',
  security,
  request: {
    params: botParams,
    query: z.object({ state: z.enum(['open', 'all']).default('open') }),
  },
  responses: {
    200: ok(z.object({ items: z.array(noticeSchema) }), 'Notices'),
    ...errorResponses(400, 401, 404),
  },
});

const dismiss = createRoute({
  method: 'post',
  path: '/api/bots/{botId}/notices/{noticeId}/dismiss',
  summary: 'Dismiss a notice (it opens again if the problem happens again)',
  security,
  request: { params: botParams.extend({ noticeId: recordIdSchema }) },
  responses: { 200: ok(noticeSchema, 'Dismissed'), ...errorResponses(400, 401, 404) },
});

const present = (n: Notice) => ({
  id: n.id,
  kind: n.kind,
  subject: n.subject,
  message: n.message,
  occurrences: n.occurrences,
  createdAt: n.createdAt.toISOString(),
  lastSeenAt: n.lastSeenAt.toISOString(),
  resolvedAt: n.resolvedAt?.toISOString() ?? null,
  resolvedBy: n.resolvedBy,
});

export function noticeRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(list, async (c) => {
      const { botId } = c.req.valid('param');
      const { state } = c.req.valid('query');
      await requireBot(c, botId);
      const notices = await new NoticeRepository(c.var.deps.db.kysely).list(botId, {
        open: state === 'open',
      });
      return c.json({ items: notices.map(present) }, 200);
    })
    .openapi(dismiss, async (c) => {
      const { botId, noticeId } = c.req.valid('param');
      const notice = await new NoticeRepository(c.var.deps.db.kysely).dismiss(botId, noticeId);
      if (!notice) throw notFound('notice');
      return c.json(present(notice), 200);
    });
}
