// Seeded shop data as Rakuten Pay order API `OrderModel`s (research/cart-apis.md §2.3): order
// numbers like `123456-20171027-00006701`, phones in three fields, masked relay addresses, items
// and shipments per package (送付先), -9999 for amounts not fixed yet. The helpers say what the
// connector should make of a seeded record, for the tests.
import type { ShopCarrier, ShopCustomer, ShopOrder, ShopSubscription } from '../cart-data.ts';

export const SHOP_ID = '384756';
const JST = 9 * 3_600_000;
const DAY = 86_400_000;

/** `2017-10-14T00:00:00+0900` */
export function rakutenTime(d: Date | number): string {
  const ms = typeof d === 'number' ? d : d.getTime();
  return `${new Date(ms + JST).toISOString().slice(0, 19)}+0900`;
}
const jstYmd = (d: Date) => new Date(d.getTime() + JST).toISOString().slice(0, 10);

export const orderNumberOf = (o: Pick<ShopOrder, 'id' | 'orderedAt'>) =>
  `${SHOP_ID}-${jstYmd(o.orderedAt).replaceAll('-', '')}-${String(o.id).padStart(8, '0')}`;

export const reserveNumberOf = (s: Pick<ShopSubscription, 'id' | 'createdAt'>) =>
  `${SHOP_ID}-${jstYmd(s.createdAt).replaceAll('-', '')}-${String(s.id).padStart(6, '0')}-r`;

/** 楽天あんしんメルアド: one relay address per buyer, never the buyer's own. */
export const maskedEmailOf = (c: ShopCustomer) =>
  `${c.number}${c.id.toString(16)}@pc.fw.rakuten.ne.jp`;

/**
 * The three phone fields. Rakuten's form has three boxes; a number typed without breaks lands
 * in the first and third with the middle one null (the API allows one null part).
 */
export function phonePartsOf(c: ShopCustomer): [string | null, string | null, string | null] {
  const p = c.phone;
  if (!p) return [null, null, null];
  if (p.format === 'plain') return [p.parts[0] + p.parts[1], null, p.parts[2]];
  return [...p.parts];
}

/** Every fifth order with more than one line goes to two addresses, shipped a day apart. */
export const splitsPackages = (o: ShopOrder) => o.id % 5 === 0 && o.items.length > 1;

/** The shipped date the connector should report: the last package's JST date, at JST midnight. */
export const expectedShippedAt = (o: ShopOrder): Date | null =>
  o.shippedAt ? new Date(Date.parse(`${jstYmd(o.shippedAt)}T00:00:00+09:00`)) : null;

const CARRIERS: Record<ShopCarrier, [string, string]> = {
  yamato: ['1001', 'ヤマト運輸'],
  sagawa: ['1002', '佐川急便'],
  japanpost: ['1003', '日本郵便'],
};

/** The seeded subscription course sold as 頒布会 (orderType 5); the others are 定期購入 (4). */
const HANPUKAI_COURSE = 'C-HL-2MONTH';

export type OrderModelJson = Record<string, unknown> & {
  orderNumber: string;
  orderDatetime: string;
  shippingCmplRptDatetime: string | null;
};

export function orderModelOf(
  o: ShopOrder,
  c: ShopCustomer,
  sub: ShopSubscription | undefined,
): OrderModelJson {
  const [p1, p2, p3] = phonePartsOf(c);
  const coupon = o.id % 4 === 0 ? 300 : 0;
  const shippedDay = o.shippedAt ? jstYmd(o.shippedAt) : null;
  const groups = splitsPackages(o) ? [o.items.slice(0, 1), o.items.slice(1)] : [o.items];
  const packages = groups.map((items, k) => {
    const last = k === groups.length - 1;
    const day = shippedDay && !last ? jstYmd(new Date(o.shippedAt!.getTime() - DAY)) : shippedDay;
    const [code, name] = o.carrier ? CARRIERS[o.carrier] : [null, null];
    return {
      basketId: o.id * 10 + k,
      postagePrice:
        k === 0 ? o.total - o.items.reduce((s, i) => s + i.quantity * i.unitPrice, 0) : 0,
      senderModel: { familyName: c.familyName, firstName: c.givenName },
      ItemModelList: items.map((it, i) => ({
        itemDetailId: o.id * 100 + k * 10 + i,
        itemName: it.name,
        itemId: 10_000_000 + i,
        itemNumber: it.productCode,
        manageNumber: it.productCode.toLowerCase(),
        price: it.unitPrice,
        priceTaxIncl: it.unitPrice,
        units: it.quantity,
        TaxRate: 0.1,
      })),
      ShippingModelList: day
        ? [
            {
              shippingDetailId: o.id * 10 + k,
              shippingNumber: last ? o.trackingNumber : `${o.trackingNumber ?? ''}0`,
              deliveryCompany: code,
              deliveryCompanyName: name,
              shippingDate: day,
            },
          ]
        : [],
    };
  });
  const progress =
    o.state === 'cancelled'
      ? 900
      : o.state === 'pending'
        ? o.id % 2
          ? 100
          : 300
        : o.id % 2
          ? 500
          : 700;
  const changed = rakutenTime(o.updatedAt);
  return {
    orderNumber: orderNumberOf(o),
    orderProgress: progress,
    subStatusId: null,
    subStatusName: null,
    orderDatetime: rakutenTime(o.orderedAt),
    shopOrderCfmDatetime: o.state === 'shipped' ? rakutenTime(o.orderedAt) : changed,
    orderFixDatetime: null,
    shippingInstDatetime: null,
    shippingCmplRptDatetime: o.state === 'shipped' ? changed : null,
    deliveryDate: o.deliveryDate,
    rakutenMemberFlag: c.id % 9 === 0 ? 0 : 1,
    orderType: sub ? (sub.courseCode === HANPUKAI_COURSE ? 5 : 4) : 1,
    reserveNumber: sub ? reserveNumberOf(sub) : null,
    reserveDeliveryCount: sub ? o.subscriptionSequence : null,
    goodsPrice: o.items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
    totalPrice: o.total + coupon,
    couponAllTotalPrice: coupon,
    // Not fixed until the shop confirms the order: the connector must not add -9999.
    deliveryPrice: o.state === 'pending' ? -9999 : 0,
    paymentCharge: 0,
    additionalFeeOccurAmountToUser: 0,
    requestPrice: o.state === 'pending' ? -9999 : o.total,
    OrdererModel: {
      zipCode1: '100',
      zipCode2: '0001',
      prefecture: '東京都',
      city: '千代田区',
      subAddress: '千代田1-1',
      familyName: c.familyName,
      firstName: c.givenName,
      familyNameKana: c.familyKana,
      firstNameKana: c.givenKana,
      phoneNumber1: p1,
      phoneNumber2: p2,
      phoneNumber3: p3,
      emailAddress: maskedEmailOf(c),
      sex: null,
      birthYear: c.birthday ? Number(c.birthday.slice(0, 4)) : null,
      birthMonth: c.birthday ? Number(c.birthday.slice(5, 7)) : null,
      birthDay: c.birthday ? Number(c.birthday.slice(8, 10)) : null,
    },
    PackageModelList: packages,
    ChangeReasonModelList:
      o.state === 'cancelled'
        ? [
            {
              changeId: o.id,
              changeType: 1,
              changeApplyDatetime: changed,
              changeFixDatetime: changed,
            },
          ]
        : [],
  };
}
