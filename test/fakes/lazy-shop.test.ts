// A generated shop served lazily (benchmarks) must be the same shop the fakes serve from memory.
import { describe, expect, it } from 'vitest';
import { generateShop, LazyShop } from './cart-data.ts';
import { createFakeEcforce } from './ecforce.ts';

describe('a lazily generated shop', () => {
  it('finds orders by id as generateShop numbers them, and sorts them by updated-at', () => {
    const shop = new LazyShop(3, 50, { ordersPerCustomer: 5 });
    const all = generateShop(3, 50, { ordersPerCustomer: 5 }).orders;
    expect(shop.orderCount).toBe(all.length);
    expect(all.length / 50).toBeGreaterThan(3.5);
    for (const o of all) expect(shop.order(o.id)).toEqual(o);
    expect([...shop.orders()]).toEqual(all);
    const { ids, at } = shop.ordersByUpdate();
    expect(ids.length).toBe(all.length);
    for (let i = 1; i < ids.length; i++) expect(at[i]! >= at[i - 1]!).toBe(true);
  });

  it('leaves the default shop as it was without the orders-per-customer option', () => {
    expect(generateShop(3, 40).customers.map((c) => c.orderCount)).toEqual(
      new LazyShop(3, 40).customers.map((c) => c.orderCount),
    );
  });

  it('is listed by the ecforce fake exactly as the same shop held in memory', async () => {
    const held = createFakeEcforce({ apiToken: 't' });
    held.seed(generateShop(5, 60));
    const lazy = createFakeEcforce({ apiToken: 't' });
    lazy.seedLazy(new LazyShop(5, 60));
    const get = async (fake: typeof held, path: string) =>
      (
        await fake.app.request(path, { headers: { authorization: 'Token token="t"' } })
      ).json() as Promise<unknown>;
    for (const list of [
      'customers.json?include=billing_address',
      'orders.json?include=order_items',
    ]) {
      for (const q of ['', '&q[updated_at_gteq]=2026/06/01 00:00:00']) {
        for (const page of [1, 2]) {
          const path = `/api/v2/admin/${list}&per=30&page=${page}&sort=updated_at,id${q}`;
          expect(await get(lazy, path), path).toEqual(await get(held, path));
        }
      }
    }
  });
});
