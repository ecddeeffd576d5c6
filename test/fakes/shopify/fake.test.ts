// The fake itself: it must refuse what the real Admin API refuses, or connector tests prove nothing.
import { describe, expect, it } from 'vitest';
import { shopify } from '../../../carts/shopify.ts';
import { startShopify } from './harness.ts';

describe('the fake Shopify refuses what Shopify refuses', () => {
  it('answers invalid, over-cost and unpaged queries with errors and records each', async () => {
    const h = await startShopify({ expectSpecViolations: true });
    const post = async (query: string, variables = {}) => {
      const res = await fetch(`${h.url}/admin/api/2025-01/graphql.json`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-access-token': h.fake.accessToken,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as {
        data?: unknown;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
    };
    try {
      const typo = await post(
        '{ customers(first: 1) { nodes { id defaultEmailAddress { emailAddress } } } }',
      );
      expect(typo.data).toBeUndefined();
      expect(typo.errors?.[0]?.message).toContain(
        'Cannot query field "defaultEmailAddress" on type "Customer"',
      );
      const costly = await post(
        '{ customers(first: 250) { nodes { id amountSpent { amount } defaultAddress { phone } lastOrder { id } emailMarketingConsent { marketingState } } } }',
      );
      expect(costly.errors?.[0]?.extensions?.code).toBe('MAX_COST_EXCEEDED');
      const unpaged = await post('{ orders(query: "x") { nodes { id } } }');
      expect(unpaged.errors?.[0]?.message).toContain('first or last');
      expect(h.fake.specViolations).toHaveLength(3);
      const ok = await post('{ shop { name } }');
      expect(ok).toMatchObject({ data: { shop: { name: 'きずな商店' } } });
      expect(h.fake.specViolations).toHaveLength(3);
      // A 5xx is retried; the refusal of the token that follows is final.
      h.fake.inject({ status: 502 });
      await expect(shopify.verify(h.ctx({ accessToken: 'shpat_x' }))).rejects.toMatchObject({
        kind: 'bad_credentials',
      });
    } finally {
      await h.close();
    }
  });
});
