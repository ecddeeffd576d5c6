// The fake shop's catalog as Shopify's product variants: one product with one default variant per
// catalog entry (its code as the SKU), shaped as carts/shopify/products.ts selects them.
import type { ShopProduct } from '../cart-data.ts';
import type { Store } from './store.ts';

/** What a custom app made for Kizuna is granted (README: connecting a cart). */
export const ACCESS_SCOPES = [
  'read_customers',
  'read_orders',
  'read_own_subscription_contracts',
  'read_products',
];

export interface FakeVariant {
  id: string;
  sku: string | null;
  title: string;
  displayName: string;
  price: string;
  createdAt: string;
  updatedAt: string;
  image: { url: string } | null;
  product: {
    title: string;
    onlineStoreUrl: string | null;
    /** `__typename` picks the Media interface's concrete type when the fake executes. */
    featuredMedia: {
      __typename: 'MediaImage';
      preview: { image: { url: string } | null } | null;
    } | null;
  };
}

/** Replaces the store's catalog; variant ids follow the list's order. */
export function seedVariants(
  store: Store,
  products: readonly ShopProduct[],
  at = '2026-10-01T00:00:00Z',
) {
  store.variants = new Map(
    products.map((p, i): [string, FakeVariant] => {
      const id = `gid://shopify/ProductVariant/${4000 + i}`;
      const handle = encodeURIComponent(p.code.toLowerCase());
      return [
        id,
        {
          id,
          sku: p.code,
          title: 'Default Title',
          displayName: `${p.name} - Default Title`,
          price: p.price.toFixed(2),
          createdAt: at,
          updatedAt: at,
          image: null,
          product: {
            title: p.name,
            onlineStoreUrl: `https://${store.shop.myshopifyDomain}/products/${handle}`,
            featuredMedia: {
              __typename: 'MediaImage',
              preview: { image: { url: `https://cdn.shopify.example/${handle}.jpg` } },
            },
          },
        },
      ];
    }),
  );
}
