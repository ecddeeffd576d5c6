// Seeded shop data as カラーミーショップ API JSON (research/cart-apis.md §5.3). Made up here, beyond
// the research: `line_user_id` (no LINE field is documented), customers' make_date/update_date,
// the account id, and which phone field a number lands in (mobile numbers in tel_mobile).
import type { ShopCustomer, ShopOrder } from '../cart-data.ts';

export const ACCOUNT_ID = 'PA01234567';
const unix = (d: Date) => Math.floor(d.getTime() / 1000);
export type Json = Record<string, unknown>;

export function customerJson(c: ShopCustomer): Json {
  const mobile = c.phone && !c.phone.landline;
  return {
    id: c.id,
    account_id: ACCOUNT_ID,
    name: `${c.familyName} ${c.givenName}`,
    furigana: `${c.familyKana} ${c.givenKana}`,
    hojin: null,
    busho: null,
    sex: c.id % 2 ? 'female' : 'male',
    birthday: c.birthday,
    postal: '150-0001',
    pref_id: 13,
    pref_name: '東京都',
    address1: '渋谷区神宮前',
    address2: `${c.id}-1`,
    mail: c.email,
    tel: c.phone && !mobile ? c.phone.raw : null,
    fax: null,
    tel_mobile: mobile ? c.phone!.raw : null,
    other: null,
    points: c.orderCount * 50,
    member: c.id % 5 !== 0,
    sales_count: c.orderCount,
    receive_mail_magazine: c.id % 3 !== 0,
    make_date: unix(c.createdAt),
    update_date: unix(c.updatedAt),
    line_user_id: c.lineUserId,
  };
}

export function saleJson(o: ShopOrder, c: ShopCustomer | undefined): Json {
  const total = o.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0);
  return {
    id: o.id,
    account_id: ACCOUNT_ID,
    make_date: unix(o.orderedAt),
    update_date: unix(o.updatedAt),
    memo: null,
    paid: o.state !== 'pending',
    delivered: o.state === 'shipped',
    canceled: o.state === 'cancelled',
    accepted_mail_state: 'sent',
    total_price: o.total,
    product_total_price: total,
    delivery_total_charge: 0,
    fee: 0,
    tax: 0,
    point_discount: 0,
    other_discount: 0,
    use_points: 0,
    granted_points: 0,
    delivered_mail_sent_date: o.shippedAt ? unix(o.shippedAt) : null,
    customer: c ? customerJson(c) : { id: o.customerId, mail: null, tel: null, tel_mobile: null },
    details: o.items.map((i, n) => ({
      id: o.id * 10 + n,
      sale_id: o.id,
      product_id: 1000 + n,
      product_model_number: i.productCode,
      product_name: i.name,
      pristine_product_full_name: i.name,
      price: i.unitPrice,
      price_with_tax: i.unitPrice,
      product_num: i.quantity,
      subtotal_price: i.unitPrice * i.quantity,
    })),
    sale_deliveries: [
      {
        id: o.id,
        delivered: o.state === 'shipped',
        slip_number: o.trackingNumber,
        preferred_date: o.deliveryDate,
        preferred_period: null,
        tracking_url: null,
      },
    ],
  };
}
