// カラーミーショップ customers and sales as Kizuna's cart model. Assumptions: top of ../colorme.ts.
import type { CartCustomer, CartOrder } from '../../crm/cart.ts';
import { LINE_FIELD, type Customer, type Sale } from './wire.ts';

const present = (s: string | null | undefined): s is string => !!s && s.trim() !== '';
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);
const ymd = (s: string | null | undefined): string | null => {
  const m = s ? /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/.exec(s) : null;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
};

export function toCustomer(c: Customer): CartCustomer {
  return {
    externalId: String(c.id),
    email: c.mail ?? null,
    // No verified flag; カラーミー links by its LINE id only (F2.4), so the address never links.
    emailVerified: null,
    // Raw, as typed: the mobile number and the other one, when given.
    phones: [c.tel_mobile, c.tel].filter(present),
    lineUserId: present(c[LINE_FIELD]) ? c[LINE_FIELD] : null,
    name: c.name ?? null,
    nameKana: c.furigana ?? null,
    birthday: ymd(c.birthday),
    customData: {
      会員: c.member ?? null,
      ポイント: c.points ?? null,
      購入回数: c.sales_count ?? null,
      メルマガ受信: c.receive_mail_magazine ?? null,
      性別: c.sex ?? null,
      都道府県: c.pref_name ?? null,
    },
    createdAt: c.make_date ? at(c.make_date) : null,
    updatedAt: at(c.update_date),
  };
}

/** The sale's state in words, for display and filters (カラーミー has flags, not a status). */
function statusOf(s: Sale): string {
  if (s.canceled) return 'canceled';
  if (s.delivered) return 'delivered';
  return s.paid ? 'paid' : 'accepted';
}

export function toOrder(s: Sale): CartOrder {
  const delivery = s.sale_deliveries?.[0];
  return {
    externalId: String(s.id),
    customerExternalId: s.customer?.id == null ? null : String(s.customer.id),
    orderedAt: at(s.make_date),
    totalAmount: s.total_price,
    currency: 'JPY',
    status: statusOf(s),
    cancelled: s.canceled === true,
    items: s.details.map((d) => ({
      // 型番 is the code shops give products; without one, the product id stands in.
      productCode: present(d.product_model_number)
        ? d.product_model_number
        : String(d.product_id ?? ''),
      name: d.pristine_product_full_name || d.product_name,
      quantity: d.product_num,
      unitPrice: d.price_with_tax ?? d.price,
    })),
    // No shipped-date field: the 発送完了メール date when sent, else the last update of a sale
    // marked delivered.
    shippedAt: s.delivered ? at(s.delivered_mail_sent_date ?? s.update_date) : null,
    requestedDeliveryDate: ymd(delivery?.preferred_date),
    carrier: null,
    trackingNumber: present(delivery?.slip_number) ? delivery.slip_number : null,
    subscriptionExternalId: null,
    subscriptionSequence: null,
    ordererPhones: [s.customer?.tel_mobile, s.customer?.tel].filter(present),
    ordererEmail: s.customer?.mail ?? null,
    updatedAt: at(s.update_date),
  };
}
