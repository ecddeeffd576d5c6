// The shop's records in Admin GraphQL shape, and the resolvers the fake executes queries with:
// Relay connections ordered by the sortKey (ties by id, as Shopify does), the `query` search
// string's updated_at terms, and nested connections/lists on orders and contracts.

import { ACCESS_SCOPES, type FakeVariant } from './products.ts';

export interface Money {
  amount: string;
  currencyCode: string;
}

export interface FakeCustomer {
  id: string;
  legacyResourceId: string;
  email: string | null;
  verifiedEmail: boolean;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  state: 'ENABLED' | 'DISABLED' | 'INVITED' | 'DECLINED';
  numberOfOrders: string;
  amountSpent: Money;
  lastOrder: { name: string } | null;
  tags: string[];
  note: string | null;
  emailMarketingConsent: { marketingState: string } | null;
  smsMarketingConsent: { marketingState: string } | null;
  defaultAddress: Record<string, string | null> | null;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLineItem {
  sku: string | null;
  name: string;
  quantity: number;
  originalUnitPriceSet: { shopMoney: Money };
  sellingPlan: { name: string } | null;
  contract: { id: string } | null;
}

export interface FakeFulfillment {
  createdAt: string;
  status: 'SUCCESS' | 'CANCELLED' | 'ERROR' | 'FAILURE';
  trackingInfo: Array<{ company: string | null; number: string | null }>;
}

export interface FakeOrder {
  id: string;
  legacyResourceId: string;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string;
  customerId: string | null;
  billingAddress: { phone: string | null } | null;
  totalPriceSet: { shopMoney: Money };
  lineItems: FakeLineItem[];
  fulfillments: FakeFulfillment[];
}

export interface FakeSubscription {
  id: string;
  status: 'ACTIVE' | 'PAUSED' | 'CANCELLED' | 'EXPIRED' | 'FAILED';
  nextBillingDate: string | null;
  createdAt: string;
  updatedAt: string;
  customerId: string | null;
  lines: Array<{ sku: string | null; sellingPlanName: string | null }>;
}

export interface Store {
  shop: { id: string; name: string; myshopifyDomain: string };
  customers: Map<string, FakeCustomer>;
  orders: Map<string, FakeOrder>;
  subscriptions: Map<string, FakeSubscription>;
  /** Customers still to answer with an unreadable createdAt (a malformed-record fault). */
  corrupt: number;
  /** A shop too large to hold as records (benchmarks): generated on demand, read by bulk only. */
  lazy?: LazyRecords | undefined;
  /** The catalog's product variants (see products.ts); none unless seeded. */
  variants?: Map<string, FakeVariant> | undefined;
  /** The token's access scopes (default: ACCESS_SCOPES in products.ts). */
  scopes?: string[] | undefined;
}

/** Records in id order, made as they are read, so millions cost no memory. */
export interface LazyRecords {
  customers(): Iterable<FakeCustomer>;
  orders(): Iterable<FakeOrder>;
  customer(id: string): FakeCustomer | undefined;
}

export interface ConnectionArgs {
  first?: number;
  last?: number;
  after?: string;
  before?: string;
  reverse?: boolean;
  sortKey?: string;
  query?: string;
}

const numeric = (gid: string) => BigInt(/(\d+)$/.exec(gid)?.[1] ?? '0');

/** The `updated_at:>='…'` terms of Shopify's search syntax; other terms are not modelled. */
export function matchesQuery(record: { updatedAt: string }, query: string | undefined): boolean {
  if (!query) return true;
  const re = /updated_at:(>=|<=|>|<)?'?"?([^'"\s]+)'?"?/g;
  const t = Date.parse(record.updatedAt);
  for (const m of query.matchAll(re)) {
    const bound = Date.parse(m[2]!);
    const ok = {
      '>=': t >= bound,
      '<=': t <= bound,
      '>': t > bound,
      '<': t < bound,
      '': t === bound,
    }[m[1] ?? ''];
    if (!ok) return false;
  }
  return true;
}

type Keyed<T> = T & { id: string; updatedAt: string; createdAt: string };

function sortValue(r: Keyed<object>, sortKey: string | undefined): number {
  if (sortKey === 'UPDATED_AT') return Date.parse(r.updatedAt);
  if (sortKey === 'CREATED_AT') return Date.parse(r.createdAt);
  return 0; // ID (the default): the id tie-break alone
}

function compare(a: Keyed<object>, b: Keyed<object>, sortKey: string | undefined): number {
  const d = sortValue(a, sortKey) - sortValue(b, sortKey);
  if (d !== 0) return d;
  const x = numeric(a.id);
  const y = numeric(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

// Opaque to clients, like Shopify's: the last record's sort value and id.
const encode = (r: Keyed<object>, sortKey?: string) =>
  Buffer.from(JSON.stringify({ last_id: r.id, last_value: sortValue(r, sortKey) })).toString(
    'base64',
  );
const decode = (c: string) =>
  JSON.parse(Buffer.from(c, 'base64').toString('utf8')) as { last_id: string; last_value: number };

export function connection<T extends Keyed<object>, V>(
  records: Iterable<T>,
  args: ConnectionArgs,
  view: (r: T) => V,
  bulk = false,
) {
  // Bulk operations read whole connections; ordinary queries must say how many.
  const n = args.first ?? args.last ?? (bulk ? Infinity : undefined);
  if (n === undefined) throw new Error('you must provide one of first or last');
  if (n > 250 && !bulk) throw new Error(`The maximum page size is 250, ${n} was requested`);
  let list = [...records].filter((r) => matchesQuery(r, args.query));
  list.sort((a, b) => compare(a, b, args.sortKey));
  if (args.reverse) list.reverse();
  if (args.after) {
    const { last_id, last_value } = decode(args.after);
    const at = new Date(last_value).toISOString();
    const key = { id: last_id, updatedAt: at, createdAt: at };
    list = list.filter((r) => compare(r, key, args.sortKey) * (args.reverse ? -1 : 1) > 0);
  }
  const page = list.slice(0, n);
  const lastRecord = page.at(-1);
  return {
    // Functions, so only the selected one runs (views may corrupt a record once, see Store).
    nodes: () => page.map(view),
    edges: () => page.map((r) => ({ cursor: encode(r, args.sortKey), node: view(r) })),
    pageInfo: {
      hasNextPage: list.length > n,
      hasPreviousPage: Boolean(args.after),
      startCursor: page[0] ? encode(page[0], args.sortKey) : null,
      endCursor: lastRecord ? encode(lastRecord, args.sortKey) : null,
    },
  };
}

/** A plain list field with `first` (Order.fulfillments, Fulfillment.trackingInfo). */
const firstOf =
  <T>(list: T[]) =>
  (args: { first?: number }) =>
    args.first === undefined ? list : list.slice(0, args.first);

/** Positional slices for nested connections that carry no sort of their own. */
function nested<T>(list: T[], bulk: boolean) {
  const cursor = (i: number) => Buffer.from(`i:${i}`).toString('base64');
  return (args: { first?: number; after?: string }) => {
    const from = args.after ? Number(Buffer.from(args.after, 'base64').toString().slice(2)) + 1 : 0;
    const page = list.slice(from, from + (args.first ?? (bulk ? Infinity : 0)));
    const end = from + page.length - 1;
    return {
      nodes: page,
      // Cursors are made only when a query reads them: a bulk export of a million orders never does.
      edges: page.map((node, i) => ({
        get cursor() {
          return cursor(from + i);
        },
        node,
      })),
      pageInfo: {
        hasNextPage: list.length > from + page.length,
        hasPreviousPage: from > 0,
        startCursor: page.length ? cursor(from) : null,
        endCursor: page.length ? cursor(end) : null,
      },
    };
  };
}

/** How each record answers a query: nested fields as resolver functions, like the schema's. */
export function views(store: Store, bulk = false) {
  const customerRef = (id: string | null) =>
    id ? viewCustomer(store.customers.get(id) ?? store.lazy?.customer(id)) : null;
  const viewCustomer = (c: FakeCustomer | undefined) => c ?? null;
  const order = (o: FakeOrder) => ({
    ...o,
    customer: () => customerRef(o.customerId),
    lineItems: nested(o.lineItems, bulk),
    fulfillments: firstOf(
      o.fulfillments.map((f) => ({ ...f, trackingInfo: firstOf(f.trackingInfo) })),
    ),
  });
  const subscription = (s: FakeSubscription) => ({
    ...s,
    customer: () => customerRef(s.customerId),
    lines: nested(s.lines, bulk),
  });
  const customer = (c: FakeCustomer) => {
    if (store.corrupt <= 0) return c;
    store.corrupt--;
    return { ...c, createdAt: '0000-13-45T99:00:00Z' };
  };
  return { customer, order, subscription };
}

export function rootValue(store: Store, bulk = false) {
  const view = views(store, bulk);
  return {
    shop: store.shop,
    customers: (args: ConnectionArgs) =>
      connection(store.customers.values(), args, view.customer, bulk),
    customer: ({ id }: { id: string }) => store.customers.get(id) ?? null,
    order: ({ id }: { id: string }) => {
      const o = store.orders.get(id);
      return o ? view.order(o) : null;
    },
    orders: (args: ConnectionArgs) => connection(store.orders.values(), args, view.order, bulk),
    currentAppInstallation: () => ({
      accessScopes: (store.scopes ?? ACCESS_SCOPES).map((handle) => ({ handle })),
    }),
    productVariants: (args: ConnectionArgs) =>
      connection((store.variants ?? new Map<string, FakeVariant>()).values(), args, (v) => v, bulk),
    subscriptionContracts: (args: ConnectionArgs) =>
      // No sortKey argument: Shopify lists contracts by id.
      connection(store.subscriptions.values(), { ...args, sortKey: 'ID' }, view.subscription, bulk),
  };
}
