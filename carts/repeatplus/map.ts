// リピスト records in Kizuna's cart model. The assumption behind each field is listed at the top
// of ../repeatplus.ts.
import type { CartCustomer, CartOrder, CartSubscription } from '../../crm/cart.ts';
import { carrierOf, jstDate, joinName, present, ymd } from '../cart-values.ts';
import { CANCELLED, customer, order, parseTime, regularOrder } from './wire.ts';

export function toCustomer(raw: unknown): CartCustomer {
  const c = customer.parse(raw);
  return {
    externalId: c.customer_id,
    number: c.customer_code ?? null,
    email: c.email ?? null,
    // No verified flag is documented; it links by phone only anyway (F2.4).
    emailVerified: null,
    // Raw, as the shop typed it: identity keys are derived when stored (crm/identity.ts).
    phones: present([c.tel, c.mobile_tel]),
    lineUserId: null,
    name: joinName(c.last_name, c.first_name),
    nameKana: joinName(c.last_name_kana, c.first_name_kana),
    birthday: ymd(c.birthday),
    createdAt: c.created_at ? new Date(parseTime(c.created_at)) : null,
    updatedAt: new Date(parseTime(c.updated_at)),
  };
}

export function toOrder(raw: unknown): CartOrder {
  const o = order.parse(raw);
  const subscription = o.regular_order_id ?? null;
  return {
    externalId: o.order_id,
    number: o.order_code ?? null,
    customerExternalId: o.customer_id ?? null,
    orderedAt: new Date(parseTime(o.order_date)),
    totalAmount: o.total,
    currency: 'JPY',
    status: o.status ?? null,
    cancelled: o.status === CANCELLED,
    items: o.items.map((i) => ({
      productCode: i.product_code,
      courseCode: i.regular_product_code || null,
      name: i.product_name,
      quantity: i.quantity,
      unitPrice: i.price,
    })),
    shippedAt: jstDate(o.shipping_date),
    requestedDeliveryDate: ymd(o.delivery_date),
    carrier: carrierOf(o.delivery_company),
    trackingNumber: o.tracking_number || null,
    subscriptionExternalId: subscription,
    subscriptionSequence: subscription ? (o.regular_count ?? null) : null,
    ordererPhones: present([o.tel]),
    ordererEmail: o.email ?? null,
    updatedAt: new Date(parseTime(o.updated_at)),
  };
}

export function toSubscription(raw: unknown): CartSubscription {
  const s = regularOrder.parse(raw);
  return {
    externalId: s.regular_order_id,
    customerExternalId: s.customer_id ?? null,
    rawStatus: s.status,
    courseCode: s.regular_product_code ?? null,
    nextDeliveryAt: jstDate(s.next_shipping_date),
    deliveries: s.count ?? null,
    updatedAt: new Date(parseTime(s.updated_at)),
  };
}
