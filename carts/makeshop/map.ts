// makeshop orders and members in Kizuna's cart model. The assumption behind each field is listed
// at the top of ../makeshop.ts.
import type { Carrier, CartCustomer, CartOrder } from '../../crm/cart.ts';
import { isoDate, parseTime, type MakeshopMember, type MakeshopOrder } from './wire.ts';

const ORDER_STATUS: Readonly<Record<string, string>> = {
  '0': 'キャンセル',
  '1': '通常',
  '99': '仮注文',
};
/** Delivery status 3 配送完了: the parcel left. */
const DELIVERED = '3';

function carrier(name: string | null): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ/.test(name)) return 'yamato';
  if (/佐川/.test(name)) return 'sagawa';
  if (/郵便|ゆうパ/.test(name)) return 'japanpost';
  return 'other';
}

/**
 * Shipped once every delivery (配送先) is 配送完了, on the latest shipped date, with that
 * delivery's carrier and slip number: an order to several addresses counts as shipped when its
 * last parcel left, which is what "N days after shipping" follow-ups should wait for.
 */
function shipment(o: MakeshopOrder) {
  const none = { shippedAt: null, carrier: null, trackingNumber: null };
  const deliveries = o.deliveries?.delivery ?? [];
  if (deliveries.length === 0) return none;
  let last: (typeof deliveries)[number] | null = null;
  for (const d of deliveries) {
    if (d.status !== DELIVERED || !d.shipped_date) return none;
    if (!last || parseTime(d.shipped_date) > parseTime(last.shipped_date!)) last = d;
  }
  return {
    shippedAt: new Date(parseTime(last!.shipped_date!)),
    carrier: carrier(last!.carrier),
    trackingNumber: last!.deliverynum,
  };
}

export function toOrder(o: MakeshopOrder): CartOrder {
  const ship = shipment(o);
  const orderedAt = parseTime(o.date);
  const requested = o.deliveries?.delivery.find((d) => d.deliverydate)?.deliverydate ?? null;
  return {
    externalId: o.ordernum,
    number: o.ordernum,
    // A guest purchase (no member id) belongs to no customer: makeshop links by member only.
    customerExternalId: o.buyer.memberid,
    orderedAt: new Date(orderedAt),
    totalAmount: o.orderdetail.sumprice,
    currency: 'JPY',
    status: ORDER_STATUS[o.status] ?? o.status,
    cancelled: o.status === '0',
    items: o.orderdetail.commodities.commodity.map((c) => ({
      // 独自商品コード when the shop set one, else the system product code.
      productCode: c.orgcode ?? c.brandcode ?? '',
      name: c.name,
      quantity: c.amount,
      unitPrice: c.price,
    })),
    ...ship,
    requestedDeliveryDate: requested ? isoDate(requested) : null,
    subscriptionExternalId: null,
    subscriptionSequence: null,
    ordererPhones: o.buyer.tel ? [o.buyer.tel] : [],
    ordererEmail: o.buyer.email,
    // The order XML has no update time: the latest event it dates.
    updatedAt: new Date(Math.max(orderedAt, ship.shippedAt?.getTime() ?? 0)),
  };
}

const join = (x: string | null, y: string | null) => [x, y].filter(Boolean).join(' ') || null;

export function toCustomer(m: MakeshopMember): CartCustomer {
  return {
    externalId: m.member_id,
    email: m.email,
    // makeshop says nothing about verification; its rule links by LINE id only anyway.
    emailVerified: null,
    phones: m.tel ? [m.tel] : [],
    lineUserId: m.line_id?.trim() || null,
    name: join(m.name1, m.name2),
    nameKana: join(m.kana1, m.kana2),
    birthday: m.birthday ? isoDate(m.birthday) : null,
    customData: m.point !== null ? { ポイント: Number(m.point) } : {},
    createdAt: m.regdate ? new Date(parseTime(m.regdate)) : null,
    updatedAt: new Date(parseTime(m.update_date)),
  };
}
