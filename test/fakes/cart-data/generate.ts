// Customers, orders and subscriptions, generated lazily from (seed, id).
import {
  COURSES,
  FAMILY,
  GIVEN,
  ONE_OFF,
  PRODUCTS,
  ROMAJI,
  formatPhone,
  makeEmail,
  makeNumber,
} from './people.ts';
import { DAY, DEFAULT_NOW, digits, hex, int, pick, rngFrom, sec, ymd } from './random.ts';
import type {
  GenerateOptions,
  ShopCustomer,
  ShopData,
  ShopOrder,
  ShopOrderItem,
  ShopOrderState,
  ShopPhone,
  ShopSubscription,
  ShopSubscriptionState,
} from './types.ts';
const ORDER_MIX = [1, 1, 1, 2, 2, 3, 4, 6];

/** One draw either way, so the option changes order counts and nothing else about a customer. */
function orderCountOf(u: number, mean: number | undefined): number {
  return mean === undefined
    ? ORDER_MIX[Math.floor(u * ORDER_MIX.length)]!
    : 1 + Math.floor(u * (2 * mean - 1));
}

/**
 * Customers 1..count, lazily. Each record depends only on (seed, id) and a small window of
 * earlier phones, so memory stays flat however many are drawn.
 */
export function* generateCustomers(
  seed: number,
  count: number,
  options: GenerateOptions = {},
): Generator<ShopCustomer> {
  const now = (options.now ?? DEFAULT_NOW).getTime();
  const dupShare = options.duplicatePhoneShare ?? 0.08;
  const noOrderShare = options.noOrderShare ?? 0.15;
  const bulkShare = options.bulkUpdateShare ?? 0.3;
  const bulkAt = sec(now - 200 * DAY + 3_723_000);
  const recent: Array<{ id: number; n: ReturnType<typeof makeNumber> }> = [];
  for (let id = 1; id <= count; id++) {
    const r = rngFrom(seed, id, 1);
    const [familyName, familyKana] = pick(r, FAMILY);
    const [givenName, givenKana, givenRomaji] = pick(r, GIVEN);
    const number = hex(r, 10);
    const { email, placeholder } = makeEmail(r, ROMAJI[familyName] ?? 'user', givenRomaji, number);
    let samePhoneAs: number | null = null;
    let phone: ShopPhone | null = null;
    if (r() >= 0.05) {
      const earlier = recent.length > 0 && r() < dupShare ? pick(r, recent) : undefined;
      const n = earlier?.n ?? makeNumber(r);
      samePhoneAs = earlier?.id ?? null;
      phone = formatPhone(r, n);
      if (!earlier) {
        recent.push({ id, n });
        if (recent.length > 64) recent.shift();
      }
    }
    const birthday =
      r() < 0.7 ? ymd(new Date(Date.UTC(int(r, 1950, 2005), int(r, 0, 11), int(r, 1, 28)))) : null;
    const lineUserId = r() < 0.2 ? `U${hex(r, 32)}` : null;
    const orderCount = r() < noOrderShare ? 0 : orderCountOf(r(), options.ordersPerCustomer);
    const createdAt = sec(now - int(r, 30, 3 * 365) * DAY - int(r, 0, DAY - 1));
    const updatedAt =
      r() < bulkShare && createdAt < bulkAt
        ? bulkAt
        : sec(createdAt.getTime() + r() * (now - createdAt.getTime()));
    yield {
      id,
      number,
      familyName,
      givenName,
      familyKana,
      givenKana,
      email,
      emailPlaceholder: placeholder,
      phone,
      samePhoneAs,
      birthday,
      lineUserId,
      orderCount,
      createdAt,
      updatedAt,
    };
  }
}

/** The customer's subscription, if any: a pure function of (seed, customer), shared by orders. */
export function subscriptionOf(
  seed: number,
  c: ShopCustomer,
  options: GenerateOptions = {},
): ShopSubscription | null {
  if (c.orderCount === 0) return null;
  const r = rngFrom(seed, c.id, 2);
  if (r() >= 0.3) return null;
  const course = pick(r, COURSES);
  const x = r();
  const state: ShopSubscriptionState = x < 0.6 ? 'active' : x < 0.8 ? 'paused' : 'cancelled';
  const now = (options.now ?? DEFAULT_NOW).getTime();
  return {
    id: c.id,
    number: hex(r, 10),
    customerId: c.id,
    courseCode: course.courseCode!,
    productCode: course.code,
    state,
    deliveries: c.orderCount,
    nextDeliveryAt: state === 'active' ? sec(now + int(r, 1, 30) * DAY) : null,
    createdAt: sec(c.createdAt.getTime() + DAY),
    updatedAt: sec(now - int(r, 1, 20) * DAY),
  };
}

export function* generateSubscriptions(
  seed: number,
  customers: Iterable<ShopCustomer>,
  options: GenerateOptions = {},
): Generator<ShopSubscription> {
  for (const c of customers) {
    const s = subscriptionOf(seed, c, options);
    if (s) yield s;
  }
}

/** Orders of the given customers, in customer order; ids are dense from `firstId`. */
export function* generateOrders(
  seed: number,
  customers: Iterable<ShopCustomer>,
  options: GenerateOptions & { firstId?: number } = {},
): Generator<ShopOrder> {
  const now = (options.now ?? DEFAULT_NOW).getTime();
  let id = options.firstId ?? 1;
  for (const c of customers) {
    const r = rngFrom(seed, c.id, 3);
    const sub = subscriptionOf(seed, c, options);
    const course = sub ? PRODUCTS.find((p) => p.code === sub.productCode) : undefined;
    const span = Math.max(now - DAY - c.createdAt.getTime(), DAY);
    for (let k = 0; k < c.orderCount; k++) {
      const orderedAt = sec(c.createdAt.getTime() + ((k + r()) / c.orderCount) * span);
      const items: ShopOrderItem[] = [];
      if (course)
        items.push({
          productCode: course.code,
          courseCode: course.courseCode,
          name: course.name,
          quantity: 1,
          unitPrice: course.price,
        });
      const extra = course ? int(r, 0, 2) : int(r, 1, 4);
      for (let i = 0; i < extra; i++) {
        const p = pick(r, ONE_OFF);
        if (items.some((it) => it.productCode === p.code)) continue;
        items.push({
          productCode: p.code,
          courseCode: null,
          name: p.name,
          quantity: int(r, 1, 3),
          unitPrice: p.price,
        });
      }
      const total =
        items.reduce((sum, it) => sum + it.quantity * it.unitPrice, 0) + (r() < 0.5 ? 0 : 600);
      const x = r();
      const state: ShopOrderState =
        x < 0.05
          ? 'cancelled'
          : orderedAt.getTime() > now - 3 * DAY && x < 0.5
            ? 'pending'
            : 'shipped';
      const shippedAt = state === 'shipped' ? sec(orderedAt.getTime() + int(r, 1, 3) * DAY) : null;
      const carrier = shippedAt
        ? pick(r, ['yamato', 'yamato', 'sagawa', 'japanpost'] as const)
        : null;
      const deliveryDate =
        r() < 0.4 ? ymd(new Date(orderedAt.getTime() + int(r, 3, 10) * DAY)) : null;
      yield {
        id,
        number: String(100_000 + id),
        customerId: c.id,
        orderedAt,
        state,
        items,
        total,
        shippedAt,
        deliveryDate,
        carrier,
        trackingNumber: carrier ? digits(r, 12) : null,
        subscriptionId: sub ? sub.id : null,
        subscriptionSequence: sub ? k + 1 : null,
        updatedAt: sec(Math.min((shippedAt ?? orderedAt).getTime() + int(r, 0, 3600) * 1000, now)),
      };
      id++;
    }
  }
}

/** A whole shop in memory, for tests with hundreds or thousands of records. */
export function generateShop(seed: number, count: number, options: GenerateOptions = {}): ShopData {
  const customers = [...generateCustomers(seed, count, options)];
  return {
    customers,
    orders: [...generateOrders(seed, customers, options)],
    subscriptions: [...generateSubscriptions(seed, customers, options)],
  };
}
