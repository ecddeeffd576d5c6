// The Shopify catalog (product variants) against the vendored 2025-01 schema and the fake store.
import { parse, validate } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shopify } from '../../carts/shopify.ts';
import {
  ACCESS_SCOPES_QUERY,
  PRODUCT_PAGE_SIZE,
  PRODUCT_VARIANTS_QUERY,
} from '../../carts/shopify/products.ts';
import { PRODUCTS } from '../fakes/cart-data.ts';
import { adminSchema, MAX_QUERY_COST, requestedCost } from '../fakes/shopify.ts';
import { collect, startShopify, type ShopifyHarness } from '../fakes/shopify/harness.ts';
import { seedVariants } from '../fakes/shopify/products.ts';

describe('Shopify product variants query', () => {
  it.each([PRODUCT_VARIANTS_QUERY, ACCESS_SCOPES_QUERY])(
    'validates against the 2025-01 schema',
    (doc) => {
      expect(validate(adminSchema(), parse(doc)).map((e) => e.message)).toEqual([]);
    },
  );

  it('stays under the 1000-point query cost and uses most of it', () => {
    const op = parse(PRODUCT_VARIANTS_QUERY).definitions[0]!;
    if (op.kind !== 'OperationDefinition') throw new Error('not an operation');
    const cost = requestedCost(adminSchema(), op, [], { first: PRODUCT_PAGE_SIZE });
    expect(cost).toBe(802);
    expect(cost).toBeLessThanOrEqual(MAX_QUERY_COST);
    expect(cost).toBeGreaterThan(MAX_QUERY_COST / 2);
  });
});

describe('Shopify catalog import', () => {
  let h: ShopifyHarness;
  beforeEach(async () => {
    h = await startShopify();
  });
  afterEach(() => h.close());

  it('lists every variant across pages, coded by SKU as order lines are', async () => {
    const catalog = Array.from({ length: PRODUCT_PAGE_SIZE + 20 }, (_, i) => ({
      ...PRODUCTS[i % PRODUCTS.length]!,
      code: `V-${String(i).padStart(4, '0')}`,
    }));
    seedVariants(h.fake.store, catalog);
    const pages = await collect(shopify.products!(h.ctx()));
    expect(pages.map((p) => p.items.length)).toEqual([PRODUCT_PAGE_SIZE, 20]);
    const first = pages[0]!.items[0]!;
    expect(first).toEqual({
      externalId: 'gid://shopify/ProductVariant/4000',
      code: 'V-0000',
      name: PRODUCTS[0]!.name,
      variantName: null,
      price: PRODUCTS[0]!.price,
      url: `https://${h.fake.shopDomain}/products/v-0000`,
      imageUrl: 'https://cdn.shopify.example/v-0000.jpg',
      updatedAt: new Date('2026-10-01T00:00:00Z'),
    });
    expect(h.fake.specViolations).toEqual([]);
  });

  it('lists nothing for a store without products', async () => {
    expect(await collect(shopify.products!(h.ctx()))).toEqual([]);
  });

  it('skips the catalog, saying why, when the token lacks read_products', async () => {
    seedVariants(h.fake.store, PRODUCTS);
    h.fake.store.scopes = ['read_customers', 'read_orders'];
    expect(await collect(shopify.products!(h.ctx()))).toEqual([
      {
        items: [],
        skipped: [{ externalId: null, reason: expect.stringContaining('read_products') }],
        cursor: null,
      },
    ]);
    expect(h.fake.requests.map((r) => r.operationName)).toEqual(['KizunaAccessScopes']);
  });
});
