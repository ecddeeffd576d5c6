// A fake Rakuten Pay order API (research/cart-apis.md §2) for tests and the demo mode: the real
// paths under /es/2.0/order/, ESA auth, JSON bodies checked against the API's rules (63-day
// windows, 730 days back, pages ≤ 1000 and ≤ 15,000 results, getOrder ≤ 100 numbers), Rakuten's
// answers (orderNumberList + PaginationResponseModel, OrderModelList, MessageModelList), faults
// on demand and a request log. Wire details not verified are mirrored from carts/rakuten.ts's
// header so both sides assume the same thing. Only dateType 1 (注文日) and 5 (発送完了報告日) are
// served; the error codes past ORDER_EXT_API_SEARCH_ORDER_ERROR_009 and the 401/429 bodies are
// made up in Rakuten's style (the connector reads only the status and the message text).
import { Hono, type Context } from 'hono';
import type { ShopData, ShopOrder } from './cart-data.ts';
import { createFaults, type FaultWire } from './faults.ts';
import { listenApp } from './listen.ts';
import type { CartFake } from './paged-cart.ts';
import { orderModelOf, rakutenTime, type OrderModelJson } from './rakuten/orders.ts';
import { parseRakutenTime, readGetOrder, readSearch, type Refusal } from './rakuten/validate.ts';
import { reorder } from './reorder.ts';

export interface RakutenRequest {
  path: string;
  body: unknown;
  status: number;
}

/** `inject`'s malformed_record spoils one order of the next getOrder. */
export interface FakeRakuten extends CartFake<RakutenRequest> {
  seed(data: ShopData): void;
  /** These customers order again, one second after the newest order (a customer "changes"). */
  touch(customerIds: number[]): void;
  /** Reports an order shipped now (its shipment report datetime moves to `at`). */
  ship(orderNumber: string, at: Date): void;
  orders: Map<string, OrderModelJson>;
}

const ESA_REFUSED = {
  Results: { errorCode: 'ES04-01', message: 'Unauthorized-Invalid ServiceSecret and LicenseKey' },
};

export function createFakeRakuten(opts: {
  serviceSecret: string;
  licenseKey: string;
  now?: () => Date;
}): FakeRakuten {
  const now = () => (opts.now?.() ?? new Date('2026-11-23T00:00:00Z')).getTime();
  const orders = new Map<string, OrderModelJson>();
  const faults = createFaults();
  const requests: RakutenRequest[] = [];
  const violations: string[] = [];
  let data: ShopData = { customers: [], orders: [], subscriptions: [] };
  const app = new Hono();
  const auth = `ESA ${btoa(`${opts.serviceSecret}:${opts.licenseKey}`)}`;

  const faultWire: FaultWire = {
    refused: (c) => c.json(ESA_REFUSED, 401),
    tooMany: (c) =>
      c.json({ Results: { errorCode: 'ES99-01', message: 'Too Many Requests' } }, 429),
    unavailable: (c) =>
      c.json(
        {
          MessageModelList: [
            { messageType: 'ERROR', messageCode: 'ES05-01', message: 'Service Unavailable' },
          ],
        },
        503,
      ),
  };

  const info = (code: string, message: string) => ({
    messageType: 'INFO',
    messageCode: code,
    message,
  });

  function endpoint(
    name: 'searchOrder' | 'getOrder',
    answer: (c: Context, body: unknown) => Response,
  ) {
    return async (c: Context) => {
      let body: unknown = null;
      try {
        body = await c.req.json();
      } catch {
        body = null;
      }
      const log = (status: number) =>
        requests.push({ path: new URL(c.req.url).pathname, body, status });
      const refusal = await faults.answer(c, log, faultWire);
      if (refusal) return refusal;
      if (c.req.header('authorization') !== auth) {
        log(401);
        return c.json(ESA_REFUSED, 401);
      }
      if (!/^application\/json(;\s*charset=utf-8)?$/i.test(c.req.header('content-type') ?? '')) {
        violations.push(`${name}: Content-Type ${c.req.header('content-type') ?? '(none)'}`);
        log(415);
        return c.json(
          { Results: { errorCode: 'ES01-02', message: 'Unsupported Media Type' } },
          415,
        );
      }
      const res = answer(c, body);
      log(res.status);
      return res;
    };
  }

  function refuse(c: Context, name: string, r: Refusal): Response {
    violations.push(`${name}: ${r.message}`);
    return c.json(
      { MessageModelList: [{ messageType: 'ERROR', messageCode: r.code, message: r.message }] },
      400,
    );
  }

  /** The datetime an order has on a dateType's axis (the fake serves 注文日 and 発送完了報告日). */
  function on(o: OrderModelJson, dateType: number): number | null {
    if (dateType === 1) return parseRakutenTime(o.orderDatetime);
    if (dateType === 5) return parseRakutenTime(o.shippingCmplRptDatetime);
    return null;
  }

  app.post(
    '/es/2.0/order/searchOrder/',
    endpoint('searchOrder', (c, body) => {
      const q = readSearch(body, now());
      if ('code' in q) return refuse(c, 'searchOrder', q);
      if (q.dateType !== 1 && q.dateType !== 5)
        return refuse(c, 'searchOrder', {
          code: 'FAKE',
          message: `dateType ${q.dateType} is not faked`,
        });
      const hits = [...orders.values()]
        .filter((o) => {
          const t = on(o, q.dateType);
          return t !== null && t >= q.start && t <= q.end;
        })
        // 注文日時 ascending; ties come in no particular order (here: number descending).
        .sort((a, b) => {
          const d = parseRakutenTime(a.orderDatetime)! - parseRakutenTime(b.orderDatetime)!;
          return d !== 0 ? d : a.orderNumber < b.orderNumber ? 1 : -1;
        });
      if (hits.length === 0)
        return c.json({
          orderNumberList: [],
          MessageModelList: [
            info('ORDER_EXT_API_SEARCH_ORDER_INFO_102', '注文検索結果が0件です。'),
          ],
          PaginationResponseModel: {
            totalRecordsAmount: null,
            totalPages: null,
            requestPage: null,
          },
        });
      const slice = hits.slice((q.page - 1) * q.amount, q.page * q.amount);
      return c.json({
        orderNumberList: slice.map((o) => o.orderNumber),
        MessageModelList: [info('ORDER_EXT_API_SEARCH_ORDER_INFO_101', '注文検索に成功しました。')],
        PaginationResponseModel: {
          totalRecordsAmount: hits.length,
          totalPages: Math.ceil(hits.length / q.amount),
          requestPage: q.page,
        },
      });
    }),
  );

  app.post(
    '/es/2.0/order/getOrder/',
    endpoint('getOrder', (c, body) => {
      const q = readGetOrder(body);
      if ('code' in q) return refuse(c, 'getOrder', q);
      const found = q.numbers.flatMap((n) => {
        const o = orders.get(n);
        return o ? [structuredClone(o)] : [];
      });
      if (faults.spoils(found)) {
        // An order the connector cannot read: a datetime in no format Rakuten uses.
        found[0]!.orderDatetime = 'yesterday';
      }
      const missing = q.numbers.filter((n) => !orders.has(n));
      return c.json({
        MessageModelList: [
          info('ORDER_EXT_API_GET_ORDER_INFO_101', '受注情報取得に成功しました。'),
          ...missing.map((n) => ({
            messageType: 'ERROR',
            messageCode: 'ORDER_EXT_API_GET_ORDER_ERROR_004',
            message: '指定された受注情報が存在しません。',
            orderNumber: n,
          })),
        ],
        OrderModelList: found,
        version: q.version,
      });
    }),
  );

  app.all('*', (c) => {
    requests.push({ path: new URL(c.req.url).pathname, body: null, status: 404 });
    return c.json({ Results: { errorCode: 'ES01-01', message: 'Not Found' } }, 404);
  });

  function put(o: ShopOrder) {
    const customer = data.customers.find((c) => c.id === o.customerId);
    if (!customer) throw new Error(`no customer ${o.customerId}`);
    const sub = data.subscriptions.find((s) => s.id === o.subscriptionId);
    const model = orderModelOf(o, customer, sub);
    orders.set(model.orderNumber, model);
  }

  return {
    app,
    listen: (port = 0) => listenApp(app, port, faults.release),
    requests,
    violations,
    orders,
    seed(shop) {
      data = { ...shop, orders: [...shop.orders] };
      for (const o of shop.orders) put(o);
    },
    inject: faults.inject,
    touch(ids) {
      const latest = Math.max(
        ...[...orders.values()].map((o) => parseRakutenTime(o.orderDatetime)!),
      );
      let id = Math.max(0, ...data.orders.map((o) => o.id)) + 1;
      for (const customerId of ids) {
        const at = new Date(latest + 1000);
        const o = reorder(id++, String(900_000 + id), customerId, at);
        data.orders.push(o);
        put(o);
      }
    },
    ship(orderNumber, at) {
      const o = orders.get(orderNumber);
      if (!o) throw new Error(`no order ${orderNumber}`);
      const day = new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
      o.orderProgress = 500;
      o.shippingCmplRptDatetime = rakutenTime(at);
      for (const p of o.PackageModelList as Array<Record<string, unknown>>)
        p.ShippingModelList = [
          {
            shippingDetailId: 1,
            shippingNumber: '123456789012',
            deliveryCompany: '1001',
            deliveryCompanyName: 'ヤマト運輸',
            shippingDate: day,
          },
        ];
    },
  };
}
