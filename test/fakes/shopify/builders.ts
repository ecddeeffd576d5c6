// Records with plausible defaults, so a test states only what it is about. Ids count up per
// type from Shopify-sized numbers; timestamps default to the fake's clock.
import type { FakeCustomer, FakeOrder, FakeSubscription, Store } from './store.ts';

export function createBuilders(store: Store, now: () => number) {
  let next = 7_000_000_000_000;
  const id = (type: string) => `gid://shopify/${type}/${++next}`;
  const iso = () => new Date(now()).toISOString();

  return {
    customer(c: Partial<FakeCustomer> = {}): FakeCustomer {
      const gid = c.id ?? id('Customer');
      const at = iso();
      const record: FakeCustomer = {
        id: gid,
        legacyResourceId: /(\d+)$/.exec(gid)![1]!,
        email: `user${next}@example.jp`,
        verifiedEmail: true,
        phone: null,
        firstName: '花子',
        lastName: '山田',
        state: 'ENABLED',
        numberOfOrders: '0',
        amountSpent: { amount: '0.0', currencyCode: 'JPY' },
        lastOrder: null,
        tags: [],
        note: null,
        emailMarketingConsent: { marketingState: 'NOT_SUBSCRIBED' },
        smsMarketingConsent: null,
        defaultAddress: null,
        createdAt: at,
        updatedAt: at,
        ...c,
      };
      store.customers.set(gid, record);
      return record;
    },
    order(o: Partial<FakeOrder> = {}): FakeOrder {
      const gid = o.id ?? id('Order');
      const at = iso();
      const record: FakeOrder = {
        id: gid,
        legacyResourceId: /(\d+)$/.exec(gid)![1]!,
        name: `#${1000 + store.orders.size + 1}`,
        email: null,
        phone: null,
        createdAt: at,
        processedAt: at,
        updatedAt: at,
        cancelledAt: null,
        displayFinancialStatus: 'PAID',
        customerId: null,
        billingAddress: null,
        totalPriceSet: { shopMoney: { amount: '3980.0', currencyCode: 'JPY' } },
        lineItems: [
          {
            sku: 'SKU-001',
            name: '美容液 30ml',
            quantity: 1,
            originalUnitPriceSet: { shopMoney: { amount: '3980.0', currencyCode: 'JPY' } },
            sellingPlan: null,
            contract: null,
          },
        ],
        fulfillments: [],
        ...o,
      };
      store.orders.set(gid, record);
      return record;
    },
    subscription(s: Partial<FakeSubscription> = {}): FakeSubscription {
      const gid = s.id ?? id('SubscriptionContract');
      const at = iso();
      const record: FakeSubscription = {
        id: gid,
        status: 'ACTIVE',
        nextBillingDate: null,
        createdAt: at,
        updatedAt: at,
        customerId: null,
        lines: [{ sku: 'SKU-SUB', sellingPlanName: '毎月お届け' }],
        ...s,
      };
      store.subscriptions.set(gid, record);
      return record;
    },
    /** Moves a record's updatedAt to now, as any edit in Shopify does. */
    touch(gid: string): void {
      const r = store.customers.get(gid) ?? store.orders.get(gid) ?? store.subscriptions.get(gid);
      if (!r) throw new Error(`no record ${gid}`);
      r.updatedAt = iso();
    },
  };
}

export type Builders = ReturnType<typeof createBuilders>;
