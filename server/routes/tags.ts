import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { tagNameSchema } from '../../crm/tag.ts';
import { filterWhere } from '../../db/filter-sql.ts';
import { FriendQueries } from '../../db/friend-queries.ts';
import { addTagWhere, removeTagWhere } from '../../db/tag-changes.ts';
import { TagRepository } from '../../db/tags.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { filterBody, parseFilter } from './filter-param.ts';
import { botParams, recordIdSchema, requireBot } from './params.ts';

/** Tags per bot (F5.1): CRUD, one friend's tags, and bulk add/remove over a filter's result. */

const tagSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    friendCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Tag');
const friendTagSchema = z
  .object({
    tagId: z.string(),
    name: z.string(),
    source: z.string().openapi({ description: 'staff | form | rule | message | link' }),
    addedAt: z.string(),
  })
  .openapi('FriendTag');
const tagParams = botParams.extend({ tagId: recordIdSchema });
const friendParams = botParams.extend({ friendId: recordIdSchema });
const nameBody = z.object({ name: tagNameSchema });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ adminToken: [] }];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/tags',
    summary: "The bot's tags by name, with friend counts",
    security,
    request: { params: botParams },
    responses: {
      200: { description: 'Tags', ...json(z.object({ items: z.array(tagSchema) })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/tags',
    summary: 'Create a tag',
    security,
    request: { params: botParams, body: { required: true, ...json(nameBody) } },
    responses: {
      201: { description: 'Created', ...json(tagSchema) },
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  rename: createRoute({
    method: 'patch',
    path: '/api/bots/{botId}/tags/{tagId}',
    summary: 'Rename a tag',
    security,
    request: { params: tagParams, body: { required: true, ...json(nameBody) } },
    responses: {
      200: { description: 'Renamed', ...json(z.object({ id: z.string(), name: z.string() })) },
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/api/bots/{botId}/tags/{tagId}',
    summary: 'Delete a tag (friends lose it; rules acting on it are deleted)',
    security,
    request: { params: tagParams },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
  }),
  bulk: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/tags/{tagId}/friends',
    summary: 'Add the tag to, or remove it from, every friend a filter selects (one statement)',
    security,
    request: {
      params: tagParams,
      body: {
        required: true,
        ...json(z.object({ action: z.enum(['add', 'remove']), filter: filterBody })),
      },
    },
    responses: {
      200: {
        description: 'How many friends changed (friends who already were so are not counted)',
        ...json(z.object({ changed: z.number().int() })),
      },
      ...errorResponses(400, 401, 404),
    },
  }),
  friendTags: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/friends/{friendId}/tags',
    summary: "A friend's tags",
    security,
    request: { params: friendParams },
    responses: {
      200: { description: 'Tags', ...json(z.object({ items: z.array(friendTagSchema) })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  tagFriend: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/friends/{friendId}/tags',
    summary: 'Add a tag to a friend',
    security,
    request: {
      params: friendParams,
      body: { required: true, ...json(z.object({ tagId: recordIdSchema })) },
    },
    responses: {
      200: { description: 'Whether it was new', ...json(z.object({ added: z.boolean() })) },
      ...errorResponses(400, 401, 404),
    },
  }),
  untagFriend: createRoute({
    method: 'delete',
    path: '/api/bots/{botId}/friends/{friendId}/tags/{tagId}',
    summary: 'Remove a tag from a friend',
    security,
    request: { params: friendParams.extend({ tagId: recordIdSchema }) },
    responses: {
      200: { description: 'Whether it had it', ...json(z.object({ removed: z.boolean() })) },
      ...errorResponses(400, 401, 404),
    },
  }),
};

const taken = () => new AppError(409, 'conflict', 'the bot already has a tag of this name');
const staff = { source: 'staff' as const, sourceRef: 'api' };

export function tagRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const { botId } = c.req.valid('param');
      const tags = await new TagRepository(c.var.deps.db.kysely).list(botId);
      if (tags.length === 0) await requireBot(c, botId);
      const items = tags.map((t) => ({
        id: t.id,
        name: t.name,
        friendCount: t.friendCount,
        createdAt: t.createdAt.toISOString(),
      }));
      return c.json({ items }, 200);
    })
    .openapi(routes.create, async (c) => {
      const { botId } = c.req.valid('param');
      await requireBot(c, botId);
      const tag = await new TagRepository(c.var.deps.db.kysely).create(
        botId,
        c.req.valid('json').name,
      );
      if (!tag) throw taken();
      return c.json(
        { id: tag.id, name: tag.name, friendCount: 0, createdAt: new Date().toISOString() },
        201,
      );
    })
    .openapi(routes.rename, async (c) => {
      const { botId, tagId } = c.req.valid('param');
      const { name } = c.req.valid('json');
      const outcome = await new TagRepository(c.var.deps.db.kysely).rename(botId, tagId, name);
      if (outcome === 'taken') throw taken();
      if (outcome === 'missing') throw notFound('tag');
      return c.json({ id: tagId, name }, 200);
    })
    .openapi(routes.remove, async (c) => {
      const { botId, tagId } = c.req.valid('param');
      if (!(await new TagRepository(c.var.deps.db.kysely).delete(botId, tagId)))
        throw notFound('tag');
      return c.body(null, 204);
    })
    .openapi(routes.bulk, async (c) => {
      const { botId, tagId } = c.req.valid('param');
      const { action } = c.req.valid('json');
      const filter = parseFilter(c.req.valid('json').filter);
      const db = c.var.deps.db.kysely;
      if (!(await new TagRepository(db).get(botId, tagId))) throw notFound('tag');
      const where = filterWhere(botId, filter, { timeZone: c.var.deps.timeZone });
      const change = action === 'add' ? addTagWhere : removeTagWhere;
      return c.json({ changed: await change(db, botId, tagId, where, staff) }, 200);
    })
    .openapi(routes.friendTags, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const db = c.var.deps.db.kysely;
      if (!(await new FriendQueries(db).get(botId, friendId))) throw notFound('friend');
      const tags = await new TagRepository(db).ofFriend(friendId);
      return c.json({ items: tags.map((t) => ({ ...t, addedAt: t.addedAt.toISOString() })) }, 200);
    })
    .openapi(routes.tagFriend, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const { tagId } = c.req.valid('json');
      const tags = new TagRepository(c.var.deps.db.kysely);
      await requireFriendAndTag(c.var.deps.db.kysely, tags, botId, friendId, tagId);
      return c.json({ added: await tags.addOne(botId, friendId, tagId, staff) }, 200);
    })
    .openapi(routes.untagFriend, async (c) => {
      const { botId, friendId, tagId } = c.req.valid('param');
      const tags = new TagRepository(c.var.deps.db.kysely);
      await requireFriendAndTag(c.var.deps.db.kysely, tags, botId, friendId, tagId);
      return c.json({ removed: await tags.removeOne(botId, friendId, tagId, staff) }, 200);
    });
}

async function requireFriendAndTag(
  db: ConstructorParameters<typeof FriendQueries>[0],
  tags: TagRepository,
  botId: string,
  friendId: string,
  tagId: string,
) {
  if (!(await new FriendQueries(db).get(botId, friendId))) throw notFound('friend');
  if (!(await tags.get(botId, tagId))) throw notFound('tag');
}
