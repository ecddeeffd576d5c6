import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartProduct } from '../../crm/cart.ts';
import { CartProductRepository } from '../../db/cart-products.ts';
import { importResource, type ImportDeps } from '../../jobs/cart-import.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { importHarness, memoryCart } from '../helpers/memory-cart.ts';

let t: TestDb;
let deps: ImportDeps;
let connect: Awaited<ReturnType<typeof importHarness>>['connect'];

beforeAll(async () => {
  t = await openTestDb();
  ({ deps, connect } = await importHarness(t, 'shop'));
});
afterAll(() => t.close());

describe('product catalog import (F4.5)', () => {
  it('imports products() as a resource and upserts them again without duplicates', async () => {
    const ecforce = await connect('rakuraku');
    const cart = memoryCart('rakuraku');
    const product = (code: string, name: string): CartProduct => ({
      externalId: `id-${code}`,
      code,
      name,
      price: 1980,
      url: `https://shop.example/products/${code}`,
      imageUrl: null,
      updatedAt: new Date('2026-11-01T00:00:00Z'),
    });
    cart.products.push(
      [product('B-2', '石けん'), product('A-1', '化粧水')],
      [product('C-3', '美容液')],
    );
    const first = await importResource(deps, cart.connector, ecforce, 'products');
    expect(first.imported).toBe(3);
    cart.products.splice(0, 2, [{ ...product('A-1', '化粧水 (新)'), price: 2200 }]);
    await importResource(deps, cart.connector, ecforce, 'products');
    const page = await new CartProductRepository(t.db.kysely).page(ecforce.id, { limit: 2 });
    expect(page.items.map((p) => [p.code, p.name, p.price])).toEqual([
      ['A-1', '化粧水 (新)', 2200],
      ['B-2', '石けん', 1980],
    ]);
    const rest = await new CartProductRepository(t.db.kysely).page(ecforce.id, {
      after: page.next!,
      limit: 2,
    });
    expect(rest).toMatchObject({ items: [{ code: 'C-3' }], next: null });
  });
});
