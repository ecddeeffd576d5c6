import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { FriendQueries, type FriendView } from '../../db/friend-queries.ts';
import type { AppEnv } from '../app.ts';
import { cursorId, cursorQuery, cursorTime, encodeCursor, limitQuery } from '../cursor.ts';
import { notFound } from '../errors.ts';
import { filterQuery, parseFilterQuery } from './filter-param.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';
import { errorResponses } from '../openapi.ts';

const iso = (d: Date | null) => d && d.toISOString();

const friendSchema = z
  .object({
    id: z.string(),
    lineUserId: z.string(),
    displayName: z.string().nullable(),
    pictureUrl: z.string().nullable(),
    language: z.string().nullable(),
    statusMessage: z.string().nullable(),
    firstFollowedAt: z.string().nullable(),
    lastFollowedAt: z.string().nullable(),
    blockedAt: z.string().nullable(),
    routeId: z.string().nullable(),
    followStatus: z.enum(['following', 'blocked', 'unknown']).openapi({
      description: '`unknown`: known only from other events, no follow seen',
    }),
    createdAt: z.string(),
  })
  .openapi('Friend');

const friendPageSchema = z
  .object({ items: z.array(friendSchema), nextCursor: z.string().nullable() })
  .openapi('FriendPage');

const followerImportSchema = z
  .object({
    state: z.string().openapi({ description: 'queued | running | done | unavailable | failed' }),
    imported: z.number().int(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('FollowerImport');

const friendKey = z.tuple([cursorTime, cursorId]);

const list = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/friends',
  summary: "List a bot's friends, newest first",
  security: [{ adminToken: [] }],
  request: {
    params: botParams,
    query: z.object({
      lineUserId: z
        .string()
        .regex(/^U[0-9a-f]{32}$/, 'must be a LINE user id (U + 32 hex digits)')
        .optional(),
      cursor: cursorQuery(friendKey),
      limit: limitQuery,
      filter: filterQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of friends',
      content: { 'application/json': { schema: friendPageSchema } },
    },
    ...errorResponses(400, 401, 404),
  },
});

const get = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/friends/{friendId}',
  summary: 'Read one friend',
  security: [{ adminToken: [] }],
  request: { params: botParams.extend({ friendId: recordIdSchema }) },
  responses: {
    200: { description: 'The friend', content: { 'application/json': { schema: friendSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const followerImport = createRoute({
  method: 'get',
  path: '/api/bots/{botId}/follower-import',
  summary: "Progress of the import of the bot's existing friends",
  security: [{ adminToken: [] }],
  request: { params: botParams },
  responses: {
    200: {
      description: 'The import',
      content: { 'application/json': { schema: followerImportSchema } },
    },
    ...errorResponses(400, 401, 404),
  },
});

function present(f: FriendView): z.infer<typeof friendSchema> {
  return {
    id: f.id,
    lineUserId: f.lineUserId,
    displayName: f.displayName,
    pictureUrl: f.pictureUrl,
    language: f.language,
    statusMessage: f.statusMessage,
    firstFollowedAt: iso(f.firstFollowedAt),
    lastFollowedAt: iso(f.lastFollowedAt),
    blockedAt: iso(f.blockedAt),
    routeId: f.routeId,
    followStatus: f.followStatus,
    createdAt: f.createdAt.toISOString(),
  };
}

export function friendRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(list, async (c) => {
      const { botId } = c.req.valid('param');
      const { lineUserId, cursor, limit, filter } = c.req.valid('query');
      const found = await new FriendQueries(c.var.deps.db.kysely).list(botId, {
        lineUserId,
        after: cursor,
        limit,
        filter: parseFilterQuery(filter),
        timeZone: c.var.deps.timeZone,
      });
      if (found.items.length === 0) await requireBot(c, botId);
      return c.json(
        {
          items: found.items.map(present),
          nextCursor: found.next && encodeCursor(found.next),
        },
        200,
      );
    })
    .openapi(get, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const friend = await new FriendQueries(c.var.deps.db.kysely).get(botId, friendId);
      if (!friend) {
        await requireBot(c, botId);
        throw notFound('friend');
      }
      return c.json(present(friend), 200);
    })
    .openapi(followerImport, async (c) => {
      const { botId } = c.req.valid('param');
      const row = await new FriendQueries(c.var.deps.db.kysely).followerImport(botId);
      if (!row) {
        await requireBot(c, botId);
        throw notFound('follower import');
      }
      return c.json(
        {
          state: row.state,
          imported: row.imported,
          error: row.error,
          startedAt: row.startedAt.toISOString(),
          finishedAt: iso(row.finishedAt),
        },
        200,
      );
    });
}
