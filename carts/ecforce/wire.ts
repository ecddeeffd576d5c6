// ecforce's wire format (JSON:API documents of the Admin API v2) and its mapping to Kizuna's cart
// model; the assumptions behind each field are listed at the top of ../ecforce.ts.
import { z } from 'zod';
import type {
  CartCustomer,
  CartOrder,
  CartProduct,
  CartSubscription,
  Carrier,
} from '../../crm/cart.ts';

export const PER = 100;
export const JST = 9 * 3_600_000;

export const resource = z.object({
  id: z.string(),
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  relationships: z.record(z.string(), z.object({ data: z.unknown() })).optional(),
});
export type Resource = z.infer<typeof resource>;
export const listDoc = z.object({
  data: z.array(resource),
  included: z.array(resource).optional(),
});
export const ref = z.object({ id: z.string(), type: z.string() });

export const str = z.string().nullish();
export const time = z.string().regex(/^\d{4}[/-]\d{2}[/-]\d{2}[ T]\d{2}:\d{2}:\d{2}/);
export const customerAttrs = z.object({
  number: str,
  email: str,
  mobile_email: str,
  is_auto_generated_email: z.boolean().nullish(),
  line_id: str,
  birth: str,
  buy_times: z.number().nullish(),
  human_state_name: str,
  created_at: time.nullish(),
  updated_at: time,
});
export const addressAttrs = z.object({
  name01: str,
  name02: str,
  kana01: str,
  kana02: str,
  tel01: str,
  tel02: str,
  tel03: str,
  full_tel: str,
});
export const orderAttrs = z.object({
  number: str,
  customer_id: z.union([z.number(), z.string()]).nullish(),
  email: str,
  state: str,
  total: z.coerce.number(),
  created_at: time,
  completed_at: time.nullish(),
  shipped_at: time.nullish(),
  scheduled_to_be_delivered_at: str,
  shipping_carrier_name: str,
  shipping_slip: str,
  subs_order_id: z.union([z.number(), z.string()]).nullish(),
  times: z.number().nullish(),
  updated_at: time,
});
export const itemAttrs = z.object({
  product_number: z.string(),
  product_name: z.string(),
  quantity: z.number(),
  price: z.coerce.number(),
});
export const subsAttrs = z.object({
  state: z.string(),
  customer_id: z.union([z.number(), z.string()]).nullish(),
  times: z.number().nullish(),
  scheduled_to_be_shipped_at: time.nullish(),
  updated_at: time,
});

export const productAttrs = z.object({
  number: z.string().min(1),
  name: z.string(),
  sales_price: z.coerce.number().nullish(),
  thumbnail_url: str,
  updated_at: time,
});

/** `2019/06/08 05:47:20` (JST) → Date. */
export function jst(s: string): Date {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s)!;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST);
}
export const maybeJst = (s: string | null | undefined) => (s ? jst(s) : null);
export function ymd(s: string | null | undefined): string | null {
  const m = s ? /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(s) : null;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
}
export const id = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === '' ? null : String(v);

export function carrier(name: string | null | undefined): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ|yamato/i.test(name)) return 'yamato';
  if (/佐川|sagawa/i.test(name)) return 'sagawa';
  if (/郵便|ゆうパ|japan ?post/i.test(name)) return 'japanpost';
  return 'other';
}

export type Included = Map<string, Resource>;
export const related = (r: Resource, name: string, included: Included): Resource[] => {
  const data = r.relationships?.[name]?.data;
  const refs = z.array(ref).safeParse(Array.isArray(data) ? data : data ? [data] : []);
  if (!refs.success) throw new Error(`relationship ${name} is not a list of references`);
  return refs.data.map((x) => {
    const found = included.get(`${x.type}:${x.id}`);
    if (!found) throw new Error(`${x.type} ${x.id} missing from included`);
    return found;
  });
};

export function toCustomer(r: Resource, included: Included): CartCustomer {
  const a = customerAttrs.parse(r.attributes);
  const [address] = related(r, 'billing_address', included);
  const b = address ? addressAttrs.parse(address.attributes) : null;
  const split = [b?.tel01, b?.tel02, b?.tel03].filter((t): t is string => !!t?.trim());
  // Raw, as the shop typed it: identity keys are derived later (crm/identity.ts).
  const phones = b?.full_tel?.trim() ? [b.full_tel] : split.length > 0 ? [split.join('-')] : [];
  const join = (x?: string | null, y?: string | null) => [x, y].filter(Boolean).join(' ') || null;
  return {
    externalId: r.id,
    number: a.number ?? null,
    email: a.email ?? null,
    // ecforce has no verified flag; an address it made up itself must never match anyone.
    emailVerified: a.is_auto_generated_email ? false : null,
    mobileEmail: a.mobile_email ?? null,
    phones,
    lineUserId: a.line_id || null,
    name: join(b?.name01, b?.name02),
    nameKana: join(b?.kana01, b?.kana02),
    birthday: ymd(a.birth),
    customData: {
      会員状態: a.human_state_name ?? null,
      購入回数: a.buy_times ?? null,
      自動生成メール: a.is_auto_generated_email ?? false,
    },
    createdAt: maybeJst(a.created_at),
    updatedAt: jst(a.updated_at),
  };
}

export function toOrder(r: Resource, included: Included): CartOrder {
  const a = orderAttrs.parse(r.attributes);
  const subscription = id(a.subs_order_id);
  return {
    externalId: r.id,
    number: a.number ?? null,
    customerExternalId: id(a.customer_id),
    orderedAt: jst(a.completed_at ?? a.created_at),
    totalAmount: a.total,
    currency: 'JPY',
    status: a.state ?? null,
    cancelled: a.state === 'canceled',
    items: related(r, 'order_items', included).map((item) => {
      const i = itemAttrs.parse(item.attributes);
      return {
        productCode: i.product_number,
        courseCode: subscription ? i.product_number : null,
        name: i.product_name,
        quantity: i.quantity,
        unitPrice: i.price,
      };
    }),
    shippedAt: maybeJst(a.shipped_at),
    requestedDeliveryDate: ymd(a.scheduled_to_be_delivered_at),
    carrier: carrier(a.shipping_carrier_name),
    trackingNumber: a.shipping_slip || null,
    subscriptionExternalId: subscription,
    subscriptionSequence: subscription ? (a.times ?? null) : null,
    ordererPhones: [],
    ordererEmail: a.email ?? null,
    updatedAt: jst(a.updated_at),
  };
}

export function toSubscription(r: Resource, included: Included): CartSubscription {
  const a = subsAttrs.parse(r.attributes);
  // The customer reference is all a subscription needs, so the customer is not side-loaded.
  const customer = ref.safeParse(r.relationships?.customer?.data);
  const [item] = related(r, 'order_items', included);
  return {
    externalId: r.id,
    customerExternalId: customer.success ? customer.data.id : id(a.customer_id),
    rawStatus: a.state,
    courseCode: item ? (z.string().nullish().parse(item.attributes.product_number) ?? null) : null,
    nextDeliveryAt: maybeJst(a.scheduled_to_be_shipped_at),
    deliveries: a.times ?? null,
    updatedAt: jst(a.updated_at),
  };
}

/** Where a sync stands: the wire updated_at (sent back verbatim as gteq) and id of the last record. */

/** A catalog product; `number` is the 商品コード order lines carry as product_number. */
export function toProduct(r: Resource, shopDomain: string): CartProduct {
  const a = productAttrs.parse(r.attributes);
  return {
    externalId: r.id,
    code: a.number,
    name: a.name,
    price: a.sales_price ?? null,
    url: `https://${shopDomain}/shop/products/${encodeURIComponent(a.number)}`,
    imageUrl: a.thumbnail_url || null,
    updatedAt: jst(a.updated_at),
  };
}
