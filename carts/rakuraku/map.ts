// 楽楽リピート orders in Kizuna's cart model: orders, and the customers and subscriptions they
// carry (the API has order search only). The assumption behind each field is listed at the top of
// ../rakuraku.ts.
import type { Carrier, CartCustomer, CartOrder, CartSubscription } from '../../crm/cart.ts';
import { parseTime, type Sale } from './wire.ts';

function carrier(name: string | null | undefined): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ/.test(name)) return 'yamato';
  if (/佐川/.test(name)) return 'sagawa';
  if (/郵便|ゆうパ/.test(name)) return 'japanpost';
  return 'other';
}

const at = (s: string | null | undefined) => (s ? new Date(parseTime(s)) : null);

export function toOrder(s: Sale): CartOrder {
  const shippedAt = at(s.delivered_date);
  return {
    externalId: s.id,
    number: s.id,
    customerExternalId: s.customer.id,
    orderedAt: new Date(parseTime(s.make_date)),
    totalAmount: s.total_price,
    currency: 'JPY',
    status: s.status ?? (s.canceled ? 'キャンセル' : null),
    cancelled: s.canceled,
    items: s.details.map((d) => ({
      productCode: d.product_code,
      courseCode: d.teiki_product_code ?? null,
      name: d.product_name,
      quantity: d.product_num,
      unitPrice: d.price,
    })),
    shippedAt,
    carrier: shippedAt ? carrier(s.delivery_company) : null,
    trackingNumber: shippedAt ? (s.slip_number ?? null) : null,
    requestedDeliveryDate: s.delivery_date
      ? s.delivery_date.slice(0, 10).replaceAll('/', '-')
      : null,
    subscriptionExternalId: s.teiki?.id ?? null,
    subscriptionSequence: s.teiki?.times ?? null,
    ordererPhones: s.customer.tel ? [s.customer.tel] : [],
    ordererEmail: s.customer.mail ?? null,
    updatedAt: new Date(parseTime(s.update_date)),
  };
}

/**
 * The customer as the order carries them, as of that order's update. Birthday is kept (F4.4:
 * 楽楽リピート syncs it); the LINE id is there only when the shop runs its LINE login.
 */
export function toCustomer(s: Sale): CartCustomer {
  const c = s.customer;
  return {
    externalId: c.id,
    email: c.mail ?? null,
    // 楽楽リピート says nothing of verification; its rules link by phone and LINE id only.
    emailVerified: null,
    phones: c.tel ? [c.tel] : [],
    lineUserId: c.line_user_id?.trim() || null,
    name: c.name ?? null,
    nameKana: c.furigana ?? null,
    birthday: c.birthday ? c.birthday.slice(0, 10).replaceAll('/', '-') : null,
    createdAt: null,
    updatedAt: new Date(parseTime(s.update_date)),
  };
}

/** The subscription (定期) an order belongs to, as of that order; raw status kept (F4.3). */
export function toSubscription(s: Sale): CartSubscription | null {
  const t = s.teiki;
  if (!t) return null;
  return {
    externalId: t.id,
    customerExternalId: s.customer.id,
    rawStatus: t.status,
    courseCode:
      t.course_code ?? s.details.find((d) => d.teiki_product_code)?.teiki_product_code ?? null,
    nextDeliveryAt: at(t.next_date),
    deliveries: t.times ?? null,
    updatedAt: new Date(parseTime(s.update_date)),
  };
}
