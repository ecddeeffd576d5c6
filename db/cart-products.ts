import { sql, type Kysely, type Selectable } from 'kysely';
import type { CartProduct } from '../crm/cart.ts';
import type { ConnectionRef } from './cart-data.ts';
import type { CartProductsTable, Database } from './schema.ts';

/** Rows per statement: 11 columns a row stays far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

export interface CatalogProduct extends CartProduct {
  connectionId: string;
}

/**
 * A connection's product catalog (F4.5). Products are upserted by the cart's id and never
 * deleted by an import: orders and follow-ups may still name a product the shop stopped selling.
 */
export class CartProductRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(connection: ConnectionRef, products: CartProduct[]): Promise<void> {
    // The last copy of an id wins: one statement may not upsert the same key twice.
    const unique = [...new Map(products.map((p) => [p.externalId, p])).values()];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = unique.slice(i, i + CHUNK).map((p) => ({
        connection_id: connection.id,
        external_id: p.externalId,
        bot_id: connection.botId,
        code: p.code,
        name: p.name,
        variant_name: p.variantName ?? null,
        course_code: p.courseCode ?? null,
        price: p.price,
        url: p.url,
        image_url: p.imageUrl,
        updated_at_cart: p.updatedAt,
        imported_at: new Date(),
      }));
      await this.db
        .insertInto('cart_products')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['connection_id', 'external_id']).doUpdateSet((eb) => {
            const columns = [
              'code',
              'name',
              'variant_name',
              'course_code',
              'price',
              'url',
              'image_url',
              'updated_at_cart',
              'imported_at',
            ] as const;
            return Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]));
          }),
        )
        .execute();
    }
  }

  /**
   * A page of the catalog in code order (then id, which is unique), after the key of the last row
   * of the previous page: keyset paging, so deep pages and the CSV's batches cost the same.
   */
  async page(
    connectionId: string,
    options: { after?: ProductKey | undefined; limit: number },
  ): Promise<{ items: CatalogProduct[]; next: ProductKey | null }> {
    let query = this.db
      .selectFrom('cart_products')
      .selectAll()
      .where('connection_id', '=', connectionId);
    const after = options.after;
    // Byte order ("C"), so pages follow the same order on every database whatever its locale.
    if (after)
      query = query.where(
        sql<boolean>`(code collate "C", external_id collate "C") > (${after[0]}, ${after[1]})`,
      );
    const rows = await query
      .orderBy(sql`code collate "C"`)
      .orderBy(sql`external_id collate "C"`)
      .limit(options.limit + 1)
      .execute();
    const items = rows.slice(0, options.limit);
    const last = items.at(-1);
    return {
      items: items.map(toProduct),
      next: rows.length > options.limit && last ? [last.code, last.external_id] : null,
    };
  }
}

/** Products sort by code, then the cart's id. */
export type ProductKey = [code: string, externalId: string];

function toProduct(row: Selectable<CartProductsTable>): CatalogProduct {
  return {
    connectionId: row.connection_id,
    externalId: row.external_id,
    code: row.code,
    name: row.name,
    variantName: row.variant_name,
    courseCode: row.course_code,
    price: row.price === null ? null : Number(row.price),
    url: row.url,
    imageUrl: row.image_url,
    updatedAt: row.updated_at_cart,
  };
}
