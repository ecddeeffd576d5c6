import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { CartProductRepository, type CatalogProduct } from '../../db/cart-products.ts';
import type { Db } from '../../db/index.ts';
import type { AppEnv } from '../app.ts';
import { cursorId, cursorQuery, encodeCursor, limitQuery } from '../cursor.ts';
import { errorResponses } from '../openapi.ts';
import { ownedConnection } from './connections.ts';
import { botParams, recordIdSchema } from './params.ts';

const productSchema = z
  .object({
    externalId: z.string(),
    code: z.string().openapi({ description: 'The code order lines carry (product code / SKU)' }),
    name: z.string(),
    variantName: z.string().nullable(),
    courseCode: z.string().nullable(),
    price: z.number().nullable(),
    url: z.string().nullable(),
    imageUrl: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Product');

const params = botParams.extend({ connectionId: recordIdSchema });
const security = [{ adminToken: [] }];
const productKey = z.tuple([z.string().max(1000), cursorId]);

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/connections/{connectionId}/products',
    summary: "A connection's product catalog, by code (F4.5)",
    security,
    request: { params, query: z.object({ cursor: cursorQuery(productKey), limit: limitQuery }) },
    responses: {
      200: {
        description: 'A page of products',
        content: {
          'application/json': {
            schema: z
              .object({ items: z.array(productSchema), nextCursor: z.string().nullable() })
              .openapi('ProductPage'),
          },
        },
      },
      ...errorResponses(400, 401, 404),
    },
  }),
  csv: createRoute({
    method: 'get',
    path: '/api/bots/{botId}/connections/{connectionId}/products.csv',
    summary: 'The whole catalog as CSV for Excel: UTF-8 with BOM, CRLF, Japanese headers',
    security,
    request: { params },
    responses: {
      200: {
        description: 'The catalog, streamed',
        content: { 'text/csv': { schema: z.string() } },
      },
      ...errorResponses(400, 401, 404),
    },
  }),
};

const present = (p: CatalogProduct): z.infer<typeof productSchema> => ({
  externalId: p.externalId,
  code: p.code,
  name: p.name,
  variantName: p.variantName ?? null,
  courseCode: p.courseCode ?? null,
  price: p.price,
  url: p.url,
  imageUrl: p.imageUrl,
  updatedAt: p.updatedAt?.toISOString() ?? null,
});

export function connectionProductRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.list, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      const { cursor, limit } = c.req.valid('query');
      const found = await new CartProductRepository(c.var.deps.db.kysely).page(connection.id, {
        after: cursor,
        limit,
      });
      const nextCursor = found.next && encodeCursor(found.next);
      return c.json({ items: found.items.map(present), nextCursor }, 200);
    })
    .openapi(routes.csv, async (c) => {
      const connection = await ownedConnection(c.var.deps, c.req.valid('param'));
      const filename = `products-${connection.cart}-${connection.id}.csv`;
      return new Response(catalogCsv(c.var.deps.db, connection.id), {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
        },
      });
    });
}

const HEADER = [
  '商品コード',
  '商品名',
  'バリエーション',
  '定期コース',
  '価格',
  'URL',
  '画像URL',
  '更新日時',
];
/** Rows fetched per batch: the catalog streams out without being held whole in memory. */
const BATCH = 1000;

/**
 * The CSV as a stream of keyset-paged batches. Each batch goes through csv-stringify (quoting of
 * commas, quotes and newlines in names; formulas neutralized, since Excel would run `=…`); the
 * BOM makes Excel read UTF-8, and CRLF is what it expects.
 */
export function catalogCsv(db: Db, connectionId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const products = new CartProductRepository(db.kysely);
  let after: [string, string] | undefined;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await products.page(connectionId, { after, limit: BATCH });
      const rows = page.items.map((p) => [
        p.code,
        p.name,
        p.variantName ?? '',
        p.courseCode ?? '',
        p.price ?? '',
        p.url ?? '',
        p.imageUrl ?? '',
        p.updatedAt?.toISOString() ?? '',
      ]);
      const text = stringify(first ? [HEADER, ...rows] : rows, {
        bom: first,
        record_delimiter: 'windows',
        // With CRLF records csv-stringify would leave a lone \n in a name unquoted: quote any
        // line break, or Excel splits the row.
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
