// Rakuten orders in Kizuna's cart model: orders, and customers made from their orderers. The
// assumption behind each field is listed at the top of ../rakuten.ts.
import type { z } from 'zod';
import type { CartCustomer, CartOrder, Carrier } from '../../crm/cart.ts';
import { joinPhoneParts, normalizePhone } from '../../crm/identity.ts';
import {
  jstDate,
  parseTime,
  UNKNOWN,
  type orderer,
  type OrderModel,
  type shipping,
} from './wire.ts';

const PROGRESS: Readonly<Record<number, string>> = {
  100: '注文確認待ち',
  200: '楽天処理中',
  300: '発送待ち',
  400: '変更確定待ち',
  500: '発送済',
  600: '支払手続き中',
  700: '支払手続き済',
  800: 'キャンセル確定待ち',
  900: 'キャンセル確定',
};
const CANCELLED = 900;
/** orderType 4 定期購入 and 5 頒布会 are deliveries of a subscription (申込番号 reserveNumber). */
const SUBSCRIPTION_TYPES = new Set([4, 5]);

/** deliveryCompany codes 1001–1003 (the rest of 1000–1028 are other carriers). */
const CARRIER_CODES: Readonly<Record<string, Carrier>> = {
  '1001': 'yamato',
  '1002': 'sagawa',
  '1003': 'japanpost',
};

function carrier(code: string | number | null | undefined, name: string | null | undefined) {
  if (code !== null && code !== undefined && code !== '')
    return CARRIER_CODES[String(code)] ?? 'other';
  if (!name) return null;
  if (/ヤマト|クロネコ/.test(name)) return 'yamato';
  if (/佐川/.test(name)) return 'sagawa';
  if (/郵便|ゆうパ/.test(name)) return 'japanpost';
  return 'other';
}

/** An amount, with Rakuten's "unknown" (-9999) and absent as 0. */
const amount = (v: number | null | undefined) =>
  v === null || v === undefined || v === UNKNOWN ? 0 : v;

/**
 * 総合計 (tax included, what the shop sees as the order total): totalPrice − couponAllTotalPrice
 * + deliveryPrice + paymentCharge + additionalFeeOccurAmountToUser. While totalPrice is unknown
 * (postage not fixed yet) the lines' prices stand in for it.
 */
function total(o: OrderModel): number {
  const goods =
    o.totalPrice === UNKNOWN
      ? o.PackageModelList.flatMap((p) => p.ItemModelList).reduce(
          (sum, i) => sum + (i.priceTaxIncl ?? i.price) * i.units,
          0,
        )
      : o.totalPrice;
  return (
    goods -
    amount(o.couponAllTotalPrice) +
    amount(o.deliveryPrice) +
    amount(o.paymentCharge) +
    amount(o.additionalFeeOccurAmountToUser)
  );
}

/**
 * The order's shipped date: the latest `shippingDate` once every package (送付先) has one, else
 * null. A gift order goes to several addresses; it counts as shipped when the last of them left,
 * which is also when Rakuten's own order-level 発送完了報告 happens and what "N days after
 * shipping" follow-ups should wait for. The carrier and tracking number are that last shipment's.
 */
export function shipment(o: OrderModel): {
  shippedAt: Date | null;
  carrier: Carrier | null;
  trackingNumber: string | null;
} {
  let last: z.infer<typeof shipping> | null = null;
  for (const p of o.PackageModelList) {
    const dated = (p.ShippingModelList ?? []).filter((s) => s.shippingDate);
    if (dated.length === 0) return { shippedAt: null, carrier: null, trackingNumber: null };
    for (const s of dated) if (!last || s.shippingDate! > last.shippingDate!) last = s;
  }
  if (!last) return { shippedAt: null, carrier: null, trackingNumber: null };
  return {
    shippedAt: jstDate(last.shippingDate!),
    carrier: carrier(last.deliveryCompany, last.deliveryCompanyName),
    trackingNumber: last.shippingNumber || null,
  };
}

/**
 * When the order last changed, as far as its datetimes tell: Rakuten has no update timestamp, so
 * the latest of its event datetimes (ordered, confirmed, fixed, shipping instructed, shipment
 * reported, changes/cancellations applied, fixed, completed).
 */
export function changedAt(o: OrderModel): number {
  const times = [
    o.orderDatetime,
    o.shopOrderCfmDatetime,
    o.orderFixDatetime,
    o.shippingInstDatetime,
    o.shippingCmplRptDatetime,
    ...(o.ChangeReasonModelList ?? []).flatMap((c) => [
      c.changeApplyDatetime,
      c.changeFixDatetime,
      c.changeCmplDatetime,
    ]),
  ];
  return Math.max(...times.filter((t): t is string => !!t).map(parseTime));
}

export type Orderer = z.infer<typeof orderer>;

/** The orderer's phone as typed into Rakuten's three fields, joined (one part may be null). */
export const ordererPhone = (b: Orderer) =>
  joinPhoneParts([b.phoneNumber1, b.phoneNumber2, b.phoneNumber3]);

const join = (x?: string | null, y?: string | null) => [x, y].filter(Boolean).join(' ') || null;

/**
 * The cart customer id of an orderer. Rakuten's order API has no customer or member id, so the
 * id is a digest of what identifies a buyer across orders: the phone (E.164 when it normalizes,
 * else its digits) and the name with spaces and width differences removed. A digest rather than
 * the values themselves, so no phone number ends up in ids, URLs or logs. An orderer without a
 * phone (the API allows none to be missing in practice) falls back to the masked address.
 */
export async function ordererId(b: Orderer): Promise<string> {
  const raw = ordererPhone(b);
  const phone = normalizePhone(raw);
  const who = phone.ok ? phone.e164 : raw.replace(/\D/g, '');
  const name = `${b.familyName ?? ''}${b.firstName ?? ''}`.normalize('NFKC').replace(/\s+/g, '');
  const key = who ? `tel:${who}|${name}` : `mail:${b.emailAddress ?? ''}|${name}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

export function toOrder(o: OrderModel, customerId: string): CartOrder {
  const subscription = SUBSCRIPTION_TYPES.has(o.orderType) ? (o.reserveNumber ?? null) : null;
  const phone = ordererPhone(o.OrdererModel);
  return {
    externalId: o.orderNumber,
    number: o.orderNumber,
    customerExternalId: customerId,
    orderedAt: new Date(parseTime(o.orderDatetime)),
    totalAmount: total(o),
    currency: 'JPY',
    status: PROGRESS[o.orderProgress] ?? String(o.orderProgress),
    cancelled: o.orderProgress === CANCELLED,
    items: o.PackageModelList.flatMap((p) =>
      p.ItemModelList.map((i) => {
        // 商品番号 is the shop's own code; 商品管理番号 (the item's URL key) when it has none.
        const code = i.itemNumber || i.manageNumber || '';
        return {
          productCode: code,
          courseCode: subscription ? code : null,
          name: i.itemName,
          quantity: i.units,
          unitPrice: i.priceTaxIncl ?? i.price,
        };
      }),
    ),
    ...shipment(o),
    requestedDeliveryDate: o.deliveryDate ?? null,
    subscriptionExternalId: subscription,
    subscriptionSequence: subscription ? (o.reserveDeliveryCount ?? null) : null,
    ordererPhones: phone ? [phone] : [],
    ordererEmail: o.OrdererModel.emailAddress ?? null,
    updatedAt: new Date(changedAt(o)),
  };
}

/**
 * The orderer of one order as a cart customer, as of that order. The e-mail is Rakuten's masked
 * relay address: kept (it is the "customer number" shops see, F3.7) but never verified, so no
 * rule links by it. No birthday: F4.4 leaves Rakuten out of birthday sync.
 */
export function toCustomer(o: OrderModel, customerId: string): CartCustomer {
  const b = o.OrdererModel;
  const phone = ordererPhone(b);
  return {
    externalId: customerId,
    number: b.emailAddress ?? null,
    email: b.emailAddress ?? null,
    emailVerified: false,
    emailAutoGenerated: true,
    phones: phone ? [phone] : [],
    lineUserId: null,
    name: join(b.familyName, b.firstName),
    nameKana: join(b.familyNameKana, b.firstNameKana),
    birthday: null,
    customData: { 楽天会員: o.rakutenMemberFlag === 1 },
    createdAt: null,
    updatedAt: new Date(parseTime(o.orderDatetime)),
  };
}
