import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ConversationQueries } from '../../db/friend-queries.ts';
import type { AppEnv } from '../app.ts';
import { cursorId, cursorQuery, cursorTime, encodeCursor, limitQuery } from '../cursor.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

const statusSchema = z.enum(['open', 'pending', 'resolved']);

const conversationSchema = z
  .object({
    id: z.string(),
    friendId: z.string(),
    friend: z.object({
      displayName: z.string().nullable(),
      pictureUrl: z.string().nullable(),
      lineUserId: z.string(),
    }),
    status: statusSchema,
    unreadCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
  })
  .openapi('Conversation');

const messageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['in', 'out']),
    type: z.string(),
    lineMessageId: z.string().nullable(),
    content: z.record(z.string(), z.unknown()),
    sentAt: z.string(),
  })
  .openapi('Message');

const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

const conversationKey = z.tuple([z.boolean(), cursorTime.nullable(), cursorId]);
const messageKey = z.tuple([cursorTime, cursorId]);

const list = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/conversations',
  summary: 'List 1:1 chats: unread first, then most recent',
  security: [{ adminToken: [] }],
  request: {
    params: botParams,
    query: z.object({
      status: statusSchema.optional(),
      cursor: cursorQuery(conversationKey),
      limit: limitQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of conversations',
      content: {
        'application/json': { schema: pageOf(conversationSchema, 'ConversationPage') },
      },
    },
    ...errorResponses(400, 401, 404),
  },
});

const messages = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/conversations/{conversationId}/messages',
  summary: 'Messages of a conversation, newest first',
  security: [{ adminToken: [] }],
  request: {
    params: botParams.extend({ conversationId: recordIdSchema }),
    query: z.object({ cursor: cursorQuery(messageKey), limit: limitQuery }),
  },
  responses: {
    200: {
      description: 'A page of messages',
      content: { 'application/json': { schema: pageOf(messageSchema, 'MessagePage') } },
    },
    ...errorResponses(400, 401, 404),
  },
});

const iso = (d: Date | null) => d && d.toISOString();

export function conversationRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(list, async (c) => {
      const { botId } = c.req.valid('param');
      const { status, cursor, limit } = c.req.valid('query');
      const found = await new ConversationQueries(c.var.deps.db.kysely).list(botId, {
        status,
        after: cursor,
        limit,
      });
      if (found.items.length === 0) await requireBot(c, botId);
      return c.json(
        {
          items: found.items.map((v) => ({ ...v, lastMessageAt: iso(v.lastMessageAt) })),
          nextCursor: found.next && encodeCursor(found.next),
        },
        200,
      );
    })
    .openapi(messages, async (c) => {
      const { botId, conversationId } = c.req.valid('param');
      const { cursor, limit } = c.req.valid('query');
      const queries = new ConversationQueries(c.var.deps.db.kysely);
      const found = await queries.messages(botId, conversationId, { after: cursor, limit });
      // An empty page of a conversation that exists (or is past its end) is fine; of none, 404.
      if (found.items.length === 0 && !(await queries.exists(botId, conversationId))) {
        await requireBot(c, botId);
        throw notFound('conversation');
      }
      return c.json(
        {
          items: found.items.map((m) => ({ ...m, sentAt: m.sentAt.toISOString() })),
          nextCursor: found.next && encodeCursor(found.next),
        },
        200,
      );
    });
}
