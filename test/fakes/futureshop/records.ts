// Seeded shop data as futureshop API JSON (research/cart-apis.md §4.3 for orders; members as
// carts/futureshop.ts assumes them). Made up here, beyond the research: the mobile addresses
// (every fourth member has one beside the PC address), member stages, points and their expiry,
// the order statuses other than AWAITING_PAYMENT, shippingInfo's carrier and slip fields.
import type { ShopCarrier, ShopCustomer, ShopOrder } from '../cart-data.ts';

const JST = 9 * 3_600_000;
const DAY = 86_400_000;

/** `2021-07-07T21:16:17`: JST without zone. */
export const fsTime = (d: Date | number) =>
  new Date((typeof d === 'number' ? d : d.getTime()) + JST).toISOString().slice(0, 19);
export const jstYmd = (d: Date) => fsTime(d).slice(0, 10);

/** Order numbers are 12 digits in futureshop's fixtures. */
export const orderNoOf = (o: Pick<ShopOrder, 'id'>) => String(100_000_000_000 + o.id);
/** A carrier (携帯) address beside the PC one, for every fourth member. */
export const mobileMailOf = (c: ShopCustomer) =>
  c.id % 4 === 0 ? `${c.number}.m@docomo.ne.jp` : null;
/** The shipped date the API gives (a day, JST), as the connector should read it. */
export const shippedDayOf = (o: ShopOrder) =>
  o.shippedAt ? new Date(Date.parse(`${jstYmd(o.shippedAt)}T00:00:00Z`) - JST) : null;

const STAGES = ['レギュラー', 'シルバー', 'ゴールド'] as const;
const CARRIERS: Record<ShopCarrier, string> = {
  yamato: 'ヤマト運輸',
  sagawa: '佐川急便',
  japanpost: '日本郵便',
};
const STATUS = { pending: 'AWAITING_SHIPPING', shipped: 'COMPLETED', cancelled: 'CANCELLED' };

export type Json = Record<string, unknown>;

export function memberJson(c: ShopCustomer): Json {
  return {
    memberId: String(c.id),
    companyName: '',
    companyNameKana: '',
    departmentName: '',
    departmentNameKana: '',
    companyTelNo: '',
    companyFaxNo: '',
    lastName: c.familyName,
    firstName: c.givenName,
    lastNameKana: c.familyKana,
    firstNameKana: c.givenKana,
    mail: c.email ?? '',
    mobileMail: mobileMailOf(c) ?? '',
    zipCode: '150-0001',
    prefecture: '東京都',
    address1: '渋谷区神宮前',
    address2: `${c.id}-1`,
    address3: '',
    telNoMain: c.phone?.raw ?? '',
    telNoAlternate: '',
    faxNo: '',
    gender: c.id % 2 ? 'FEMALE' : 'UNSPECIFIED',
    birthday: c.birthday ?? '',
    nickname: '',
    mailMagazine: c.id % 3 !== 0,
    mobileMailMagazine: false,
    favoriteShopCode: '',
    postalDm: true,
    note: '',
    memberStageName: STAGES[c.orderCount % 3],
    memberStageAutoUpdate: true,
    additionalAttributes: [{ no: 1, value: c.id % 2 ? 'ウェブ' : '店舗' }],
    registrationRoute: 'PC',
    dateCreated: fsTime(c.createdAt),
    dateLastLogin: fsTime(c.updatedAt),
    dateLastUpdated: fsTime(c.updatedAt),
    purchasePoint: c.orderCount * 120,
    purchasePointExpirationDate: jstYmd(new Date(c.updatedAt.getTime() + 365 * DAY)),
    lineId: c.lineUserId ?? '',
  };
}

export function orderJson(o: ShopOrder, c: ShopCustomer | undefined): Json {
  return {
    orderNo: orderNoOf(o),
    date: fsTime(o.orderedAt),
    dateLastUpdated: fsTime(o.updatedAt),
    status: STATUS[o.state],
    paymentStatus: o.state === 'pending' ? 'NOTRECEIVED' : 'RECEIVED',
    type: 'REGULAR',
    grandTotal: o.total,
    subscriptionNo: o.subscriptionId === null ? '' : `T${o.subscriptionId}`,
    subscriptionPeriodNo: o.subscriptionSequence ?? '',
    subscriptionTotalNumPeriods: '',
    buyerInfo: {
      memberId: String(o.customerId),
      lastName: c?.familyName ?? '',
      firstName: c?.givenName ?? '',
      mail: c?.email ?? '',
      mobileMail: c ? (mobileMailOf(c) ?? '') : '',
      telNoMain: c?.phone?.raw ?? '',
    },
    shipmentList: [
      {
        shipmentNo: 1,
        shippingInfo: {
          shippingDate: o.shippedAt ? jstYmd(o.shippedAt) : '',
          deliveryDate: o.deliveryDate ?? '',
          deliveryCompanyName: o.carrier ? CARRIERS[o.carrier] : '',
          slipNo: o.trackingNumber ?? '',
        },
        productList: o.items.map((i) => ({
          skuNo: i.productCode,
          janCode: '',
          name: i.name,
          price: i.unitPrice,
          count: i.quantity,
        })),
      },
    ],
  };
}
