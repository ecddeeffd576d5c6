// A fake ecforce Admin API v2 (research/cart-apis.md §3) for tests and the demo mode: the real
// paths under /api/v2/admin, the Rails token header, page/per paging (per ≤ 100), the ransack
// filter and sort the connector uses, JSON:API documents with `included`, injected faults and a
// request log. Wire details the research marks [3P]/[UNVERIFIED] are mirrored from
// carts/ecforce.ts's header so both sides assume the same thing.
import { listenApp } from './listen.ts';
import { createFaults } from './faults.ts';
import { touchRows, type CartFake, type PagedRequest } from './paged-cart.ts';
import { Hono, type Context } from 'hono';
import type { ByUpdate } from './cart-data/lazy.ts';
import {
  PRODUCTS,
  type LazyShop,
  type ShopCarrier,
  type ShopCustomer,
  type ShopData,
  type ShopOrder,
  type ShopProduct,
  type ShopSubscription,
} from './cart-data.ts';

export interface EcforceRequest extends PagedRequest {
  method: string;
}

/** No rules are checked: the fake keeps no `violations`. */
export interface FakeEcforce extends Omit<CartFake<EcforceRequest>, 'violations'> {
  seed(data: ShopData): void;
  /** Serves a generated shop of any size (benchmarks), its orders made again when read. */
  seedLazy(shop: LazyShop): void;
  /** Replaces the catalog (the shared PRODUCTS until then); ids follow the list's order. */
  seedProducts(products: readonly ShopProduct[]): void;
  /** Moves the customers' updated_at forward, all to one new second (as a bulk edit does). */
  touch(customerIds: number[]): void;
  reset(): void;
}

const PER_MAX = 100;
const JST = 9 * 3_600_000;

/** ecforce prints datetimes as `2019/06/08 05:47:20`, without zone; JST is assumed [UNVERIFIED]. */
export function ecforceTime(d: Date): string {
  const j = new Date(d.getTime() + JST).toISOString();
  return `${j.slice(0, 10).replaceAll('-', '/')} ${j.slice(11, 19)}`;
}

function parseTime(s: string): number {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(s.trim());
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST;
  return Date.parse(s);
}

const CARRIER_NAMES: Record<ShopCarrier, string> = {
  yamato: 'ヤマト運輸',
  sagawa: '佐川急便',
  japanpost: '日本郵便',
};
const ORDER_STATES = { pending: 'wmswait', shipped: 'complete', cancelled: 'canceled' } as const;
const SUB_STATES = {
  active: ['active', '有効'],
  paused: ['suspend', '停止'],
  cancelled: ['canceled', 'キャンセル'],
} as const;

type Resource = {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: unknown }>;
};

function customerResource(c: ShopCustomer): { data: Resource; included: Resource[] } {
  const p = c.phone;
  // Phones typed into ecforce's three fields have no single-field copy: full_tel stays null then.
  const split = p?.format === 'split';
  const address: Resource = {
    id: String(c.id),
    type: 'address',
    attributes: {
      name01: c.familyName,
      name02: c.givenName,
      kana01: c.familyKana,
      kana02: c.givenKana,
      full_name: `${c.familyName} ${c.givenName}`,
      tel01: p?.parts[0] ?? null,
      tel02: p?.parts[1] ?? null,
      tel03: p?.parts[2] ?? null,
      full_tel: p && !split ? p.raw : null,
    },
  };
  return {
    data: {
      id: String(c.id),
      type: 'customer',
      attributes: {
        id: c.id,
        number: c.number,
        state: 'member',
        human_state_name: '会員',
        email: c.email,
        mobile_email: null,
        is_auto_generated_email: c.emailPlaceholder,
        line_id: c.lineUserId,
        line_id_linked_at: c.lineUserId ? ecforceTime(c.createdAt) : null,
        birth: c.birthday,
        buy_times: c.orderCount,
        created_at: ecforceTime(c.createdAt),
        updated_at: ecforceTime(c.updatedAt),
        deleted_at: null,
      },
      relationships: { billing_address: { data: { id: String(c.id), type: 'address' } } },
    },
    included: [address],
  };
}

function orderResource(o: ShopOrder): { data: Resource; included: Resource[] } {
  const items = o.items.map((it, i) => ({
    id: String(o.id * 10 + i),
    type: 'order_item',
    attributes: {
      id: o.id * 10 + i,
      product_number: it.productCode,
      product_name: it.name,
      quantity: it.quantity,
      price: it.unitPrice,
      sales_price: it.unitPrice,
      list_price: it.unitPrice,
      tax_rate: 10,
    },
  }));
  return {
    data: {
      id: String(o.id),
      type: 'order',
      attributes: {
        id: o.id,
        number: o.number,
        customer_id: o.customerId,
        state: ORDER_STATES[o.state],
        total: o.total,
        created_at: ecforceTime(o.orderedAt),
        completed_at: ecforceTime(o.orderedAt),
        shipped_at: o.shippedAt ? ecforceTime(o.shippedAt) : null,
        scheduled_to_be_delivered_at: o.deliveryDate?.replaceAll('-', '/') ?? null,
        shipping_carrier_name: o.carrier ? CARRIER_NAMES[o.carrier] : null,
        shipping_slip: o.trackingNumber,
        subs_order_id: o.subscriptionId,
        times: o.subscriptionSequence,
        updated_at: ecforceTime(o.updatedAt),
      },
      relationships: { order_items: { data: items.map(({ id, type }) => ({ id, type })) } },
    },
    included: items,
  };
}

function subsOrderResource(
  s: ShopSubscription,
  customerNumber: string,
): { data: Resource; included: Resource[] } {
  const [state, human] = SUB_STATES[s.state];
  const item = {
    id: `s${s.id}`,
    type: 'order_item',
    attributes: { product_number: s.productCode, quantity: 1 },
  };
  return {
    data: {
      id: String(s.id),
      type: 'sub_order',
      attributes: {
        id: s.id,
        number: s.number,
        customer_id: s.customerId,
        customer_number: customerNumber,
        state,
        human_state: human,
        times: s.deliveries,
        orders_count: s.deliveries,
        scheduled_to_be_shipped_at: s.nextDeliveryAt ? ecforceTime(s.nextDeliveryAt) : null,
        created_at: ecforceTime(s.createdAt),
        updated_at: ecforceTime(s.updatedAt),
      },
      relationships: {
        customer: { data: { id: String(s.customerId), type: 'customer' } },
        order_items: { data: [{ id: item.id, type: item.type }] },
      },
    },
    included: [item],
  };
}

type Row = { id: number; updatedAt: Date; createdAt?: Date };
type ProductRow = Row & { product: ShopProduct };

const CATALOG_UPDATED = new Date('2026-10-01T00:00:00Z');
function productResource(row: ProductRow): { data: Resource; included: Resource[] } {
  const p = row.product;
  return {
    data: {
      id: String(row.id),
      type: 'product',
      attributes: {
        id: row.id,
        number: p.code,
        name: p.name,
        sales_price: p.price,
        list_price: p.price,
        thumbnail_url: `https://img.example/ecforce/${encodeURIComponent(p.code)}.jpg`,
        created_at: ecforceTime(row.updatedAt),
        updated_at: ecforceTime(row.updatedAt),
      },
    },
    included: [],
  };
}

/** ransack-style `sort=updated_at,id` / `-updated_at`: the keys the connector and docs use. */
function sorter(sort: string | null): (a: Row, b: Row) => number {
  const keys = (sort ?? 'id').split(',').filter(Boolean);
  return (a, b) => {
    for (const k of keys) {
      const desc = k.startsWith('-');
      const name = desc ? k.slice(1) : k;
      const va =
        name === 'id'
          ? a.id
          : name === 'created_at'
            ? (a.createdAt?.getTime() ?? 0)
            : a.updatedAt.getTime();
      const vb =
        name === 'id'
          ? b.id
          : name === 'created_at'
            ? (b.createdAt?.getTime() ?? 0)
            : b.updatedAt.getTime();
      if (va !== vb) return desc ? vb - va : va - vb;
    }
    return 0;
  };
}

export function createFakeEcforce(opts: { apiToken: string }): FakeEcforce {
  const customers = new Map<number, ShopCustomer>();
  const orders = new Map<number, ShopOrder>();
  const subs = new Map<number, ShopSubscription>();
  const products = new Map<number, ProductRow>();
  const seedProducts = (list: readonly ShopProduct[]) => {
    products.clear();
    list.forEach((product, i) =>
      products.set(i + 1, { id: i + 1, updatedAt: CATALOG_UPDATED, product }),
    );
  };
  seedProducts(PRODUCTS);
  const faults = createFaults();
  const requests: EcforceRequest[] = [];
  let lazy: LazyShop | undefined;
  const app = new Hono();

  const unauthorized = (c: Context) => c.json({ errors: [{ title: 'Unauthorized' }] }, 401);

  function list<T extends Row>(
    rows: () => Iterable<T>,
    render: (r: T) => { data: Resource; included: Resource[] },
    includable: string,
    sorted?: () => (ByUpdate & { get(id: number): T }) | undefined,
  ) {
    return async (c: Context) => {
      const url = new URL(c.req.url);
      const query = Object.fromEntries(url.searchParams);
      const log = (status: number) =>
        requests.push({ method: c.req.method, path: url.pathname, query, status });
      // A fault that spoils a record needs a list with records, so it is looked at later.
      const refusal = await faults.answer(c, log, {
        refused: unauthorized,
        tooMany: (c) => c.json({ errors: [{ title: 'Too Many Requests' }] }, 429),
      });
      if (refusal) return refusal;
      if (c.req.header('authorization') !== `Token token="${opts.apiToken}"`) {
        log(401);
        return unauthorized(c);
      }
      const page = Math.max(1, Number(query.page ?? 1) || 1);
      const per = Math.min(PER_MAX, Math.max(1, Number(query.per ?? 20) || 20));
      const gteq = query['q[updated_at_gteq]'];
      const from = gteq === undefined ? -Infinity : parseTime(gteq);
      if (Number.isNaN(from)) {
        log(400);
        return c.json({ errors: [{ title: 'invalid q[updated_at_gteq]' }] }, 400);
      }
      const index = sorted?.();
      let total: number;
      let slice: T[];
      if (index && query.sort === 'updated_at,id') {
        // A lazy shop: a binary search into its (updated_at, id) order, nothing sorted per request.
        let lo = 0;
        let hi = index.at.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (index.at[mid]! < from) lo = mid + 1;
          else hi = mid;
        }
        total = index.ids.length - lo;
        const start = lo + (page - 1) * per;
        const ids = index.ids.subarray(start, Math.min(start + per, index.ids.length));
        slice = Array.from(ids, (id) => index.get(id));
      } else {
        const all = [...rows()]
          .filter((r) => r.updatedAt.getTime() >= from)
          .sort(sorter(query.sort ?? null));
        total = all.length;
        slice = all.slice((page - 1) * per, page * per);
      }
      const includes = new Set((query.include ?? '').split(','));
      const docs = slice.map(render);
      if (faults.spoils(docs)) {
        // A record the connector cannot read: an e-mail that is not a string.
        docs[0]!.data.attributes.email = 12345;
      }
      log(200);
      return c.json({
        data: docs.map((d) => d.data),
        included: includes.has(includable) ? docs.flatMap((d) => d.included) : [],
        meta: {
          total_count: total,
          page,
          per,
          count: slice.length,
          total_pages: Math.ceil(total / per),
        },
      });
    };
  }

  app.get(
    '/api/v2/admin/customers.json',
    list(
      () => customers.values(),
      customerResource,
      'billing_address',
      () => lazy && { ...lazy.customersByUpdate(), get: (id) => lazy!.customer(id)! },
    ),
  );
  app.get(
    '/api/v2/admin/orders.json',
    list(
      () => orders.values(),
      (o) => orderResource(o),
      'order_items',
      () => lazy && { ...lazy.ordersByUpdate(), get: (id) => lazy!.order(id)! },
    ),
  );
  app.get(
    '/api/v2/admin/subs_orders.json',
    list(
      () => subs.values(),
      (s) => subsOrderResource(s, customers.get(s.customerId)?.number ?? ''),
      'order_items',
    ),
  );
  app.get(
    '/api/v2/admin/products.json',
    list(() => products.values(), productResource, ''),
  );
  // Any other path is not an ecforce shop (a mistyped domain lands on a hosting 404 page).
  app.all('*', (c) => {
    const url = new URL(c.req.url);
    requests.push({
      method: c.req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 404,
    });
    return c.html('<h1>404 Not Found</h1>', 404);
  });

  const listen = (port = 0) => listenApp(app, port, faults.release);

  return {
    app,
    listen,
    requests,
    seedLazy(shop) {
      // Lists by updated_at (the connector's sort) come from the shop's typed-array indexes.
      lazy = shop;
      for (const s of shop.subscriptions()) subs.set(s.id, s);
    },
    seed(data) {
      for (const c of data.customers) customers.set(c.id, c);
      for (const o of data.orders) orders.set(o.id, o);
      for (const s of data.subscriptions) subs.set(s.id, s);
    },
    seedProducts,
    inject: faults.inject,
    touch: (ids) => touchRows(customers, ids, 'customer'),
    reset() {
      lazy = undefined;
      customers.clear();
      orders.clear();
      subs.clear();
      seedProducts(PRODUCTS);
      faults.clear();
      requests.length = 0;
      faults.release();
    },
  };
}
