// A seeded shop too large to hold as records (benchmarks: a million orders). Customers are kept
// (a few hundred bytes each: 200,000 is tens of MB in the fake's own process); orders are made
// again from (seed, customer) whenever read, with typed arrays to find them by id or by
// updated-at, so the fakes serve millions of orders at a few bytes each.
import { generateCustomers, generateOrders, generateSubscriptions } from './generate.ts';
import type { GenerateOptions, ShopCustomer, ShopOrder, ShopSubscription } from './types.ts';

export class LazyShop {
  readonly customers: readonly ShopCustomer[];
  /** Orders in all: ids run 1..orderCount. */
  readonly orderCount: number;
  /** firstOrder[i] = the first order id of customers[i]; one past the end at [length]. */
  private readonly firstOrder: Int32Array;
  private orderIndex: ByUpdate | undefined;
  private customerIndex: ByUpdate | undefined;
  private last: { customer: number; orders: ShopOrder[] } | undefined;

  constructor(
    readonly seed: number,
    count: number,
    readonly options: GenerateOptions = {},
  ) {
    this.customers = [...generateCustomers(seed, count, options)];
    this.firstOrder = new Int32Array(count + 1);
    let next = 1;
    this.customers.forEach((c, i) => {
      this.firstOrder[i] = next;
      next += c.orderCount;
    });
    this.firstOrder[count] = next;
    this.orderCount = next - 1;
  }

  customer(id: number): ShopCustomer | undefined {
    return this.customers[id - 1];
  }

  /** The customer's orders, as generateShop would have made them. */
  ordersOf(c: ShopCustomer): ShopOrder[] {
    if (this.last?.customer === c.id) return this.last.orders;
    const orders = [
      ...generateOrders(this.seed, [c], { ...this.options, firstId: this.firstOrder[c.id - 1] }),
    ];
    this.last = { customer: c.id, orders };
    return orders;
  }

  *orders(): Generator<ShopOrder> {
    for (const c of this.customers) yield* this.ordersOf(c);
  }

  order(id: number): ShopOrder | undefined {
    if (id < 1 || id > this.orderCount) return undefined;
    // The customer whose range holds the id: the last firstOrder ≤ id.
    let lo = 0;
    let hi = this.customers.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstOrder[mid]! <= id) lo = mid;
      else hi = mid - 1;
    }
    const c = this.customers[lo]!;
    return this.ordersOf(c)[id - this.firstOrder[lo]!];
  }

  subscriptions(): Generator<ShopSubscription> {
    return generateSubscriptions(this.seed, this.customers, this.options);
  }

  /** Order ids sorted by (updatedAt, id), for carts that list by updated-at; built once. */
  ordersByUpdate(): ByUpdate {
    if (!this.orderIndex) {
      const at = new Float64Array(this.orderCount + 1);
      for (const o of this.orders()) at[o.id] = o.updatedAt.getTime();
      this.orderIndex = byUpdate(at);
    }
    return this.orderIndex;
  }

  customersByUpdate(): ByUpdate {
    if (!this.customerIndex) {
      const at = new Float64Array(this.customers.length + 1);
      for (const c of this.customers) at[c.id] = c.updatedAt.getTime();
      this.customerIndex = byUpdate(at);
    }
    return this.customerIndex;
  }
}

/** Ids 1..n in (updatedAt, id) order, with their times alongside for binary search. */
export interface ByUpdate {
  ids: Int32Array;
  at: Float64Array;
}

function byUpdate(atById: Float64Array): ByUpdate {
  const ids = new Int32Array(atById.length - 1);
  for (let i = 0; i < ids.length; i++) ids[i] = i + 1;
  ids.sort((a, b) => atById[a]! - atById[b]! || a - b);
  const at = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) at[i] = atById[ids[i]!]!;
  return { ids, at };
}
