// Rakuten Pay order API's wire format (RakutenPayOrderAPI searchOrder / getOrder) and its mapping
// to Kizuna's cart model; the assumption behind each field is listed at the top of ../rakuten.ts.
import { z } from 'zod';
import type { CartCustomer, CartOrder, Carrier } from '../../crm/cart.ts';
import { joinPhoneParts, normalizePhone } from '../../crm/identity.ts';

export const JST = 9 * 3_600_000;
/** searchOrder's `dateType`: 1 注文日 (order datetime), 5 発送完了報告日 (shipping report). */
export const DATE_TYPE = { ordered: 1, shipmentReported: 5 } as const;
export type DateType = (typeof DATE_TYPE)[keyof typeof DATE_TYPE];
/** getOrder `version` (10 = ソーシャルギフト対応, the latest the research found). */
export const GET_ORDER_VERSION = 10;
/** Unknown amounts are sent as -9999. */
const UNKNOWN = -9999;

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/;
export const time = z.string().regex(TIME, 'not a Rakuten datetime (YYYY-MM-DDThh:mm:ss+0900)');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date (YYYY-MM-DD)');

/** `2017-10-14T00:00:00+0900` → epoch ms. */
export function parseTime(s: string): number {
  const m = TIME.exec(s)!;
  const offset = (m[7] === '-' ? -1 : 1) * (+m[8]! * 3_600_000 + +m[9]! * 60_000);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - offset;
}

/** epoch ms → `2017-10-14T00:00:00+0900` (Rakuten's own form, JST). */
export function formatTime(ms: number): string {
  return `${new Date(ms + JST).toISOString().slice(0, 19)}+0900`;
}

/** A JST calendar date (`shippingDate`) → its midnight in JST. */
const jstDate = (d: string) => new Date(Date.parse(`${d}T00:00:00+09:00`));

const message = z.object({
  messageType: z.string(),
  messageCode: z.string(),
  message: z.string(),
  orderNumber: z.string().nullish(),
});
export type RakutenMessage = z.infer<typeof message>;

export const searchResponse = z.object({
  orderNumberList: z.array(z.string()).nullish(),
  MessageModelList: z.array(message).nullish(),
  PaginationResponseModel: z
    .object({
      totalRecordsAmount: z.number().int().nullish(),
      totalPages: z.number().int().nullish(),
      requestPage: z.number().int().nullish(),
    })
    .nullish(),
});
export type SearchResponse = z.infer<typeof searchResponse>;

/** The envelope only: each order is read on its own, so one bad order does not lose the rest. */
export const getOrderResponse = z.object({
  OrderModelList: z.array(z.unknown()).nullish(),
  MessageModelList: z.array(message).nullish(),
});

/** An error answer (400 and others): `MessageModelList[].{messageType,messageCode,message}`. */
export const errorResponse = z.object({ MessageModelList: z.array(message) });

export interface SearchRequest {
  dateType: DateType;
  startDatetime: string;
  endDatetime: string;
  PaginationRequestModel: {
    requestRecordsAmount: number;
    requestPage: number;
    SortModelList: Array<{ sortColumn: 1; sortDirection: 1 | 2 }>;
  };
}

export function searchRequest(
  dateType: DateType,
  startMs: number,
  endMs: number,
  page: number,
  pageSize: number,
): SearchRequest {
  return {
    dateType,
    startDatetime: formatTime(startMs),
    endDatetime: formatTime(endMs),
    PaginationRequestModel: {
      requestRecordsAmount: pageSize,
      requestPage: page,
      // 1 注文日時, ascending: the only sort column the API offers.
      SortModelList: [{ sortColumn: 1, sortDirection: 1 }],
    },
  };
}

export const getOrderRequest = (orderNumberList: string[]) => ({
  orderNumberList,
  version: GET_ORDER_VERSION,
});

const str = z.string().nullish();
const int = z.number().int().nullish();

const orderer = z.object({
  familyName: str,
  firstName: str,
  familyNameKana: str,
  firstNameKana: str,
  phoneNumber1: str,
  phoneNumber2: str,
  phoneNumber3: str,
  emailAddress: str,
});

const shipping = z.object({
  shippingNumber: str,
  deliveryCompany: z.union([z.string(), z.number()]).nullish(),
  deliveryCompanyName: str,
  shippingDate: date.nullish(),
});

const item = z.object({
  itemName: z.string(),
  itemNumber: str,
  manageNumber: str,
  price: z.number(),
  priceTaxIncl: z.number().nullish(),
  units: z.number().int(),
});

const packageModel = z.object({
  basketId: z.union([z.number(), z.string()]).nullish(),
  ItemModelList: z.array(item),
  ShippingModelList: z.array(shipping).nullish(),
});

const change = z.object({
  changeApplyDatetime: time.nullish(),
  changeFixDatetime: time.nullish(),
  changeCmplDatetime: time.nullish(),
});

export const orderModel = z.object({
  orderNumber: z.string().min(1),
  orderProgress: z.number().int(),
  orderDatetime: time,
  shopOrderCfmDatetime: time.nullish(),
  orderFixDatetime: time.nullish(),
  shippingInstDatetime: time.nullish(),
  shippingCmplRptDatetime: time.nullish(),
  deliveryDate: date.nullish(),
  orderType: z.number().int(),
  reserveNumber: str,
  reserveDeliveryCount: int,
  rakutenMemberFlag: int,
  totalPrice: z.number(),
  couponAllTotalPrice: z.number().nullish(),
  deliveryPrice: z.number().nullish(),
  paymentCharge: z.number().nullish(),
  additionalFeeOccurAmountToUser: z.number().nullish(),
  OrdererModel: orderer,
  PackageModelList: z.array(packageModel),
  ChangeReasonModelList: z.array(change).nullish(),
});
export type OrderModel = z.infer<typeof orderModel>;

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
