// The shared Japanese shop data (test/fakes/cart-data.ts) as Shopify holds it. Shopify keeps a
// customer's phone in E.164 and refuses the same phone on two customers, so a duplicate record
// keeps its number only on the default address, as typed.
import type { LazyShop, ShopCarrier, ShopCustomer, ShopData, ShopOrder } from '../cart-data.ts';
import type { FakeCustomer, FakeOrder, FakeSubscription, LazyRecords, Store } from './store.ts';

export const customerGid = (id: number) => `gid://shopify/Customer/${id}`;
export const orderGid = (id: number) => `gid://shopify/Order/${id}`;
export const contractGid = (id: number) => `gid://shopify/SubscriptionContract/${id}`;

const COMPANY: Record<ShopCarrier, string> = {
  yamato: 'Yamato (JA)',
  sagawa: 'Sagawa (JA)',
  japanpost: 'Japan Post (JA)',
};

const yen = (n: number) => ({ amount: `${n}.0`, currencyCode: 'JPY' });

/** The raw phones the connector should hand out for a seeded customer. */
export function storedPhones(c: ShopCustomer): string[] {
  if (!c.phone) return [];
  const e164 = `+81${c.phone.digits.slice(1)}`;
  const out = c.samePhoneAs === null ? [e164, c.phone.raw] : [c.phone.raw];
  return [...new Set(out)];
}

interface Spent {
  count: number;
  total: number;
  last: string | null;
}

export function fakeCustomer(c: ShopCustomer, s: Spent | undefined): FakeCustomer {
  return {
    id: customerGid(c.id),
    legacyResourceId: String(c.id),
    email: c.email,
    verifiedEmail: true,
    phone: c.phone && c.samePhoneAs === null ? `+81${c.phone.digits.slice(1)}` : null,
    firstName: c.givenName,
    lastName: c.familyName,
    state: 'ENABLED',
    numberOfOrders: String(s?.count ?? 0),
    amountSpent: yen(s?.total ?? 0),
    lastOrder: s?.last ? { name: s.last } : null,
    tags: [],
    note: null,
    emailMarketingConsent: { marketingState: 'SUBSCRIBED' },
    smsMarketingConsent: null,
    defaultAddress: c.phone ? { phone: c.phone.raw, province: '東京都' } : null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function fakeOrder(o: ShopOrder): FakeOrder {
  const at = o.orderedAt.toISOString();
  return {
    id: orderGid(o.id),
    legacyResourceId: String(o.id),
    name: `#${o.number}`,
    email: null,
    phone: null,
    createdAt: at,
    processedAt: at,
    updatedAt: o.updatedAt.toISOString(),
    cancelledAt: o.state === 'cancelled' ? o.updatedAt.toISOString() : null,
    displayFinancialStatus: o.state === 'cancelled' ? 'REFUNDED' : 'PAID',
    customerId: customerGid(o.customerId),
    billingAddress: null,
    totalPriceSet: { shopMoney: yen(o.total) },
    lineItems: o.items.map((i) => ({
      sku: i.productCode,
      name: i.name,
      quantity: i.quantity,
      originalUnitPriceSet: { shopMoney: yen(i.unitPrice) },
      sellingPlan: i.courseCode ? { name: i.courseCode } : null,
      contract: i.courseCode && o.subscriptionId ? { id: contractGid(o.subscriptionId) } : null,
    })),
    fulfillments: o.shippedAt
      ? [
          {
            createdAt: o.shippedAt.toISOString(),
            status: 'SUCCESS',
            trackingInfo: [
              { company: o.carrier ? COMPANY[o.carrier] : null, number: o.trackingNumber },
            ],
          },
        ]
      : [],
  };
}

function spentOf(orders: Iterable<ShopOrder>): Map<number, Spent> {
  const spent = new Map<number, Spent>();
  for (const o of orders) {
    const s = spent.get(o.customerId) ?? { count: 0, total: 0, last: null };
    spent.set(o.customerId, { count: s.count + 1, total: s.total + o.total, last: `#${o.number}` });
  }
  return spent;
}

/** A LazyShop as the store's lazy records: each made when read, nothing kept. */
export function lazyRecords(shop: LazyShop): LazyRecords {
  // Orders are read in customer order: each order's customer is the last one made, mostly.
  let last: FakeCustomer | undefined;
  const customer = (c: ShopCustomer) => {
    if (last?.legacyResourceId !== String(c.id))
      last = fakeCustomer(c, spentOf(shop.ordersOf(c)).get(c.id));
    return last;
  };
  return {
    *customers() {
      for (const c of shop.customers) yield customer(c);
    },
    *orders() {
      for (const o of shop.orders()) yield fakeOrder(o);
    },
    customer(gid) {
      const c = shop.customer(Number(/(\d+)$/.exec(gid)?.[1]));
      return c && customer(c);
    },
  };
}

export function seedStore(store: Store, data: ShopData): void {
  const spent = spentOf(data.orders);
  for (const c of data.customers) {
    const customer = fakeCustomer(c, spent.get(c.id));
    store.customers.set(customer.id, customer);
  }
  for (const o of data.orders) {
    const order = fakeOrder(o);
    store.orders.set(order.id, order);
  }
  for (const s of data.subscriptions) {
    const contract: FakeSubscription = {
      id: contractGid(s.id),
      status: s.state === 'active' ? 'ACTIVE' : s.state === 'paused' ? 'PAUSED' : 'CANCELLED',
      nextBillingDate: s.nextDeliveryAt?.toISOString() ?? null,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      customerId: customerGid(s.customerId),
      lines: [{ sku: s.productCode, sellingPlanName: s.courseCode }],
    };
    store.subscriptions.set(contract.id, contract);
  }
}
