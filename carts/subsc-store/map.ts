// サブスクストア records in Kizuna's cart model. The assumption behind each field is listed at the
// top of ../subsc-store.ts.
import type { CartCustomer, CartOrder, CartSubscription } from '../../crm/cart.ts';
import { carrierOf, jstDate, joinName, present, ymd } from '../cart-values.ts';
import { CANCELLED, customer, order, parseTime, subscription } from './wire.ts';

const at = (s: string) => new Date(parseTime(s));

export function toCustomer(raw: unknown): CartCustomer {
  const c = customer.parse(raw);
  return {
    externalId: c.id,
    number: c.member_no ?? null,
    email: c.email ?? null,
    // No verified flag is documented; it links by phone only anyway (F2.4).
    emailVerified: null,
    phones: present([c.tel, c.mobile]),
    lineUserId: null,
    name: joinName(c.sei, c.mei),
    nameKana: joinName(c.sei_kana, c.mei_kana),
    birthday: ymd(c.birth_date),
    createdAt: c.created_at ? at(c.created_at) : null,
    updatedAt: at(c.updated_at),
  };
}

export function toOrder(raw: unknown): CartOrder {
  const o = order.parse(raw);
  const sub = o.subscription_id ?? null;
  return {
    externalId: o.id,
    number: o.order_no ?? null,
    customerExternalId: o.customer_id ?? null,
    orderedAt: at(o.ordered_at),
    totalAmount: o.total_amount,
    currency: 'JPY',
    status: o.status ?? null,
    cancelled: o.status === CANCELLED,
    items: o.details.map((d) => ({
      productCode: d.item_code,
      // A subscription's lines are its course's products: the item code names the course.
      courseCode: sub ? d.item_code : null,
      name: d.item_name,
      quantity: d.quantity,
      unitPrice: d.unit_price,
    })),
    shippedAt: o.shipped_at ? at(o.shipped_at) : null,
    requestedDeliveryDate: ymd(o.delivery_date),
    carrier: carrierOf(o.delivery_company),
    trackingNumber: o.slip_no || null,
    subscriptionExternalId: sub,
    subscriptionSequence: sub ? (o.times ?? null) : null,
    ordererPhones: [],
    ordererEmail: null,
    updatedAt: at(o.updated_at),
  };
}

export function toSubscription(raw: unknown): CartSubscription {
  const s = subscription.parse(raw);
  return {
    externalId: s.id,
    customerExternalId: s.customer_id ?? null,
    rawStatus: s.status,
    courseCode: s.course_code ?? null,
    nextDeliveryAt: jstDate(s.next_delivery_date),
    deliveries: s.times ?? null,
    updatedAt: at(s.updated_at),
  };
}
