// futureshop members and orders as Kizuna's cart model. Assumptions: top of ../futureshop.ts.
import type { CartCustomer, CartOrder, Carrier } from '../../crm/cart.ts';
import { JST, blank, parseTime, type Member, type Order } from './wire.ts';

type Value = string | number | boolean | null;

const yesNo = (v: string | boolean | null | undefined): Value =>
  v === null || v === undefined || v === '' ? null : v;
const ymd = (s: string | null | undefined): string | null => {
  const m = s ? /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/.exec(s) : null;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
};
const isoOf = (s: string | null | undefined): string | null =>
  blank(s) ? new Date(parseTime(s!)).toISOString() : null;
const numberOf = (v: string | number | null | undefined): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const join = (x?: string | null, y?: string | null) =>
  [blank(x), blank(y)].filter(Boolean).join(' ') || null;

/**
 * The member's fields as read-only custom data (F4.6), labelled as futureshop's own member
 * screen and the seed's table name them, so staff recognise them in filters and messages.
 */
function customDataOf(m: Member): Record<string, Value> {
  const data: Record<string, Value> = {
    会員ID: m.memberId,
    会社名: blank(m.companyName),
    '会社名(フリガナ)': blank(m.companyNameKana),
    部署名: blank(m.departmentName),
    '部署名(フリガナ)': blank(m.departmentNameKana),
    会社電話番号: blank(m.companyTelNo),
    会社ファックス番号: blank(m.companyFaxNo),
    姓: blank(m.lastName),
    名: blank(m.firstName),
    '姓(フリガナ)': blank(m.lastNameKana),
    '名(フリガナ)': blank(m.firstNameKana),
    Eメールアドレス: blank(m.mail),
    携帯メールアドレス: blank(m.mobileMail),
    郵便番号: blank(m.zipCode),
    都道府県区分: blank(m.prefecture),
    '住所1(市区町村)': blank(m.address1),
    '住所2(番地)': blank(m.address2),
    '住所3(建物名)': blank(m.address3),
    電話番号: blank(m.telNoMain),
    昼間の連絡先番号: blank(m.telNoAlternate),
    ファックス番号: blank(m.faxNo),
    性別区分: blank(m.gender),
    生年月日: ymd(m.birthday),
    ニックネーム: blank(m.nickname),
    メールマガジンの購読: yesNo(m.mailMagazine),
    モバイルメルマガ受信可否: yesNo(m.mobileMailMagazine),
    よく行くお店コード: blank(m.favoriteShopCode),
    郵便DM可否: yesNo(m.postalDm),
    備考: blank(m.note),
    会員ステージ: blank(m.memberStageName),
    会員ステージ自動更新: yesNo(m.memberStageAutoUpdate),
    登録経路: blank(m.registrationRoute),
    登録日時: isoOf(m.dateCreated),
    最終ログイン日時: isoOf(m.dateLastLogin),
    最終更新日時: isoOf(m.dateLastUpdated),
    購入ポイント数: numberOf(m.purchasePoint),
    購入ポイント有効期限: ymd(m.purchasePointExpirationDate),
  };
  for (const a of m.additionalAttributes ?? [])
    if (a.no >= 1 && a.no <= 20) data[`追加属性項目${a.no}`] = blank(a.value);
  return data;
}

export function toCustomer(m: Member): CartCustomer {
  return {
    externalId: m.memberId,
    number: m.memberId,
    email: blank(m.mail),
    // futureshop has no verified flag on members; the shop can require address confirmation
    // (認証コード) at sign-up, which the seed recommends. null lets the e-mail rule link.
    emailVerified: null,
    // Preferred for matching when both exist (F2.4, crm/cart-keys.ts).
    mobileEmail: blank(m.mobileMail),
    // Raw, as typed (hyphenated per the research); the company's number is not the member's.
    phones: [m.telNoMain, m.telNoAlternate].filter((p): p is string => blank(p) !== null),
    lineUserId: blank(m.lineId),
    name: join(m.lastName, m.firstName),
    nameKana: join(m.lastNameKana, m.firstNameKana),
    birthday: ymd(m.birthday),
    customData: customDataOf(m),
    createdAt: blank(m.dateCreated) ? new Date(parseTime(m.dateCreated!)) : null,
    updatedAt: new Date(parseTime(m.dateLastUpdated)),
  };
}

function carrier(name: string | null): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ|yamato/i.test(name)) return 'yamato';
  if (/佐川|sagawa/i.test(name)) return 'sagawa';
  if (/郵便|ゆうパ|japan ?post/i.test(name)) return 'japanpost';
  return 'other';
}

/** JST midnight of a `YYYY-MM-DD` shipping date. */
const jstDay = (s: string) => new Date(Date.parse(`${ymd(s)}T00:00:00Z`) - JST);

export function toOrder(o: Order): CartOrder {
  const subscription = blank(o.subscriptionNo == null ? null : String(o.subscriptionNo));
  const infos = o.shipmentList.map((s) => s.shippingInfo ?? null);
  const dates = infos.map((i) => (i ? ymd(i.shippingDate) : null));
  // Shipped once every shipment (送付先) has left; dated by the last of them.
  const lastIndex =
    dates.every((d) => d !== null) && dates.length > 0
      ? dates.reduce((best, d, i) => (d! > dates[best]! ? i : best), 0)
      : -1;
  const lastInfo = lastIndex >= 0 ? infos[lastIndex]! : null;
  const status = blank(o.status);
  return {
    externalId: o.orderNo,
    number: o.orderNo,
    customerExternalId: blank(o.buyerInfo.memberId == null ? null : String(o.buyerInfo.memberId)),
    orderedAt: new Date(parseTime(o.date)),
    totalAmount: o.grandTotal,
    currency: 'JPY',
    status,
    cancelled: status === 'CANCELLED',
    items: o.shipmentList.flatMap((s) =>
      s.productList.map((p) => {
        const code = blank(p.productNo) ?? blank(p.skuNo) ?? '';
        return {
          productCode: code,
          courseCode: subscription ? code : null,
          name: p.name,
          quantity: p.count,
          unitPrice: p.price,
        };
      }),
    ),
    shippedAt: lastInfo ? jstDay(lastInfo.shippingDate!) : null,
    requestedDeliveryDate: ymd(infos.find((i) => blank(i?.deliveryDate))?.deliveryDate),
    carrier: carrier(blank(lastInfo?.deliveryCompanyName)),
    trackingNumber: blank(lastInfo?.slipNo),
    subscriptionExternalId: subscription,
    subscriptionSequence: subscription ? numberOf(o.subscriptionPeriodNo) : null,
    ordererPhones: [o.buyerInfo.telNoMain].filter((p): p is string => blank(p) !== null),
    ordererEmail: blank(o.buyerInfo.mobileMail) ?? blank(o.buyerInfo.mail),
    updatedAt: new Date(parseTime(o.dateLastUpdated)),
  };
}
