import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import type { Filter } from '../../crm/filter.ts';
import { countFriends } from '../../db/filter-sql.ts';
import { FriendQueries, type FriendKey } from '../../db/friend-queries.ts';
import type { Db } from '../../db/index.ts';
import type { AppEnv } from '../app.ts';
import { errorResponses } from '../openapi.ts';
import { filterBody, filterQuery, parseFilter, parseFilterQuery } from './filter-param.ts';
import { botParams, requireBot } from './params.ts';

/** Friend counts and CSV export over a filter (F9.3). */

const routes = {
  count: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/friends/count',
    summary: 'How many friends a filter selects',
    security: [{ adminToken: [] }],
    request: {
      params: botParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ filter: filterBody }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The count',
        content: { 'application/json': { schema: z.object({ count: z.number().int() }) } },
      },
      ...errorResponses(400, 401, 404),
    },
  }),
  csv: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/friends.csv',
    summary: 'Friends a filter selects (all without one) as CSV for Excel: UTF-8 with BOM, CRLF',
    security: [{ adminToken: [] }],
    request: { params: botParams, query: z.object({ filter: filterQuery }) },
    responses: {
      200: {
        description: 'The friends, newest first, streamed',
        content: { 'text/csv': { schema: z.string() } },
      },
      ...errorResponses(400, 401, 404),
    },
  }),
};

export function friendSegmentRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.count, async (c) => {
      const { botId } = c.req.valid('param');
      const filter = parseFilter(c.req.valid('json').filter);
      await requireBot(c, botId);
      const count = await countFriends(c.var.deps.db.kysely, botId, filter, {
        timeZone: c.var.deps.timeZone,
      });
      return c.json({ count }, 200);
    })
    .openapi(routes.csv, async (c) => {
      const { botId } = c.req.valid('param');
      const filter = parseFilterQuery(c.req.valid('query').filter);
      await requireBot(c, botId);
      return new Response(friendsCsv(c.var.deps.db, botId, filter, c.var.deps.timeZone), {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="friends-${botId}.csv"`,
          'cache-control': 'no-store',
        },
      });
    });
}

const HEADER = [
  'ID',
  'LINEユーザーID',
  '表示名',
  '友だち状態',
  '友だち追加日時',
  'ブロック日時',
  '流入経路',
  '登録日時',
];
/** Friends fetched per batch: the export streams without holding the list in memory. */
const BATCH = 1000;
const iso = (d: Date | null) => d?.toISOString() ?? '';

/**
 * Keyset-paged batches of the filtered list through csv-stringify (quoting; formulas
 * neutralized, since a display name starting with `=` would run in Excel); the BOM makes Excel
 * read UTF-8, and CRLF is what it expects.
 */
export function friendsCsv(
  db: Db,
  botId: string,
  filter: Filter | undefined,
  timeZone: string | undefined,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const friends = new FriendQueries(db.kysely);
  let after: FriendKey | undefined;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await friends.list(botId, { after, limit: BATCH, filter, timeZone });
      const rows = page.items.map((f) => [
        f.id,
        f.lineUserId,
        f.displayName ?? '',
        f.followStatus,
        iso(f.firstFollowedAt),
        iso(f.blockedAt),
        f.routeId ?? '',
        f.createdAt.toISOString(),
      ]);
      const text = stringify(first ? [HEADER, ...rows] : rows, {
        bom: first,
        record_delimiter: 'windows',
        quote_record_delimiter: true,
        escape_formulas: true,
      });
      first = false;
      if (text) controller.enqueue(encoder.encode(text));
      if (page.next) after = page.next;
      else controller.close();
    },
  });
}
