// Shopify's catalog (F4.5) as product variants: a variant is what an order line names (its SKU
// is the line's product code, see map.ts), so the catalog lists variants, not products. Read
// whole each time, by id; the query is validated against the 2025-01 schema and its cost checked
// in test/carts/shopify-products.test.ts.
import { z } from 'zod';
import type { CartProduct } from '../../crm/cart.ts';
import { CartError, type ConnectorContext, type Page, type SkippedRecord } from '../connector.ts';
import { graphql, type ClientOptions, type ShopifyCredentials } from './client.ts';
import { yen } from './map.ts';

// Each variant costs 4 points (node, image, product, featured media preview), so 200 a page
// stays under the 1000-point limit on a single query.
export const PRODUCT_PAGE_SIZE = 200;

export const PRODUCT_VARIANTS_QUERY = /* GraphQL */ `
  query KizunaProductVariants($first: Int!, $after: String) {
    productVariants(first: $first, after: $after, sortKey: ID) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        sku
        title
        displayName
        price
        updatedAt
        image {
          url
        }
        product {
          title
          onlineStoreUrl
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
        }
      }
    }
  }
`;

// The catalog needs read_products, which shops connected for customers and orders may not have
// granted: asked first, so a missing scope empties the catalog (with a reason on the run)
// instead of failing the connection as if its token were bad.
export const ACCESS_SCOPES_QUERY = /* GraphQL */ `
  query KizunaAccessScopes {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;
const scopesSchema = z.object({
  currentAppInstallation: z.object({ accessScopes: z.array(z.object({ handle: z.string() })) }),
});

const nullableStr = z.string().nullish();
const variantNode = z.object({
  id: z.string(),
  sku: nullableStr,
  title: z.string(),
  displayName: z.string(),
  price: z.union([z.string(), z.number()]),
  updatedAt: z.string(),
  image: z.object({ url: z.string() }).nullish(),
  product: z.object({
    title: z.string(),
    onlineStoreUrl: nullableStr,
    featuredMedia: z
      .object({ preview: z.object({ image: z.object({ url: z.string() }).nullish() }).nullish() })
      .nullish(),
  }),
});
const pageSchema = z.object({
  productVariants: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
    nodes: z.array(z.unknown()),
  }),
});

/** Shopify names a product's only variant "Default Title": no variant to speak of then. */
const DEFAULT_VARIANT = 'Default Title';

export function mapVariant(n: z.infer<typeof variantNode>): CartProduct {
  return {
    externalId: n.id,
    // As order lines do: the SKU, else the line's name (the variant's display name).
    code: n.sku?.trim() || n.displayName,
    name: n.product.title,
    variantName: n.title === DEFAULT_VARIANT ? null : n.title,
    price: yen(n.price),
    url: n.product.onlineStoreUrl ?? null,
    imageUrl: n.image?.url ?? n.product.featuredMedia?.preview?.image?.url ?? null,
    updatedAt: new Date(n.updatedAt),
  };
}

export async function* shopifyProducts(
  ctx: ConnectorContext<ShopifyCredentials>,
  opts: ClientOptions,
): AsyncIterable<Page<CartProduct>> {
  const scopes = scopesSchema.safeParse(await graphql<unknown>(ctx, opts, ACCESS_SCOPES_QUERY));
  const handles = scopes.success
    ? scopes.data.currentAppInstallation.accessScopes.map((s) => s.handle)
    : [];
  if (!handles.includes('read_products') && !handles.includes('write_products')) {
    const reason = 'the access token lacks read_products: the product catalog is not imported';
    yield { items: [], skipped: [{ externalId: null, reason }], cursor: null };
    return;
  }
  let after: string | null = null;
  for (;;) {
    const raw = await graphql<unknown>(ctx, opts, PRODUCT_VARIANTS_QUERY, {
      first: PRODUCT_PAGE_SIZE,
      after,
    });
    const page = pageSchema.safeParse(raw);
    if (!page.success) throw new CartError('malformed', 'Shopify answered productVariants oddly');
    const { nodes, pageInfo } = page.data.productVariants;
    const items: CartProduct[] = [];
    const skipped: SkippedRecord[] = [];
    for (const node of nodes) {
      const parsed = variantNode.safeParse(node);
      if (parsed.success) items.push(mapVariant(parsed.data));
      else
        skipped.push({
          externalId: (node as { id?: string } | null)?.id ?? null,
          reason: parsed.error.issues[0]?.message ?? 'unreadable variant',
        });
    }
    if (items.length > 0 || skipped.length > 0) yield { items, skipped, cursor: null };
    if (!pageInfo.hasNextPage || !pageInfo.endCursor) return;
    after = pageInfo.endCursor;
  }
}
