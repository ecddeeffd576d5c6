// The lazy export (benchmarks) must be the export Shopify would write: the same lines, in the
// same order, as graphql-js executing the bulk query over the same shop held in memory.
import { describe, expect, it } from 'vitest';
import { BULK_CUSTOMERS_QUERY, BULK_ORDERS_QUERY } from '../../../carts/shopify/queries.ts';
import { generateShop, LazyShop } from '../cart-data.ts';
import { createFakeShopify, type FakeShopify } from '../shopify.ts';

/** The export's text, after checking the operation's counts describe it. */
async function exportOf(fake: FakeShopify, query: string): Promise<string> {
  const post = async (q: string, variables: Record<string, unknown> = {}) => {
    const res = await fake.app.request('/admin/api/2025-01/graphql.json', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': fake.accessToken },
      body: JSON.stringify({ query: q, variables }),
    });
    return (await res.json()) as {
      data: Record<string, { url?: string | null; objectCount?: string; fileSize?: string }>;
    };
  };
  await post(
    'mutation Run($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }',
    { q: query },
  );
  for (;;) {
    const op = (await post('{ currentBulkOperation { id status url objectCount fileSize } }'))
      .data.currentBulkOperation!;
    if (op.url) {
      const text = await (await fake.app.request(new URL(op.url).pathname)).text();
      expect(Number(op.objectCount)).toBe(text.split('\n').length - 1);
      expect(Number(op.fileSize)).toBe(Buffer.byteLength(text));
      return text;
    }
    // Polled as a client would: a lazy export is written while the operation runs.
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the fake Shopify bulk export', () => {
  it('streams a generated shop exactly as it exports the same shop held in memory', async () => {
    const held = createFakeShopify({ now: () => 0 });
    held.seed(generateShop(7, 80, { ordersPerCustomer: 4 }));
    const lazy = createFakeShopify({ now: () => 0 });
    lazy.seedLazy(new LazyShop(7, 80, { ordersPerCustomer: 4 }));
    try {
      for (const query of [BULK_CUSTOMERS_QUERY, BULK_ORDERS_QUERY]) {
        const want = await exportOf(held, query);
        expect(want.split('\n').length).toBeGreaterThan(80);
        expect(await exportOf(lazy, query)).toBe(want);
      }
    } finally {
      lazy.reset(); // removes the export files
    }
    expect(held.specViolations).toEqual([]);
    expect(lazy.specViolations).toEqual([]);
  });
});
