// futureshop's wire format: the token answer, the member search and the order (shipping) search
// list shapes, and its zone-less JST datetimes. Field names come from research/cart-apis.md §4
// (order JSON from a public client's fixtures) and, for members, from the seed's member table
// spelt the way futureshop spells the same fields on orders' buyerInfo: they are assumptions,
// listed at the top of ../futureshop.ts.
import { z } from 'zod';

export const JST = 9 * 3_600_000;

/** The incremental filters (assumed; futureshop documents only orderDateStart/End publicly). */
export const UPDATED_FROM = 'updateDateStart';
export const UPDATED_TO = 'updateDateEnd';

/** `2021-07-07T21:16:17`, JST without zone. */
export const time = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);

export function parseTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(s)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST;
}
export function formatTime(ms: number): string {
  return new Date(ms + JST).toISOString().slice(0, 19);
}
/** `""` is futureshop's empty value (its fixtures send it for a missing birthday or address). */
export const blank = (s: string | null | undefined): string | null =>
  s === null || s === undefined || s.trim() === '' ? null : s;

export const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

const text = z.string().nullish();
const num = z.union([z.number(), z.string()]).nullish();
const flag = z.union([z.boolean(), z.string()]).nullish();

export const member = z.object({
  memberId: z.union([z.string().min(1), z.number()]).transform(String),
  companyName: text,
  companyNameKana: text,
  departmentName: text,
  departmentNameKana: text,
  companyTelNo: text,
  companyFaxNo: text,
  lastName: text,
  firstName: text,
  lastNameKana: text,
  firstNameKana: text,
  mail: text,
  mobileMail: text,
  zipCode: text,
  prefecture: text,
  address1: text,
  address2: text,
  address3: text,
  telNoMain: text,
  telNoAlternate: text,
  faxNo: text,
  gender: text,
  birthday: text,
  nickname: text,
  mailMagazine: flag,
  mobileMailMagazine: flag,
  favoriteShopCode: text,
  postalDm: flag,
  note: text,
  memberStageName: text,
  memberStageAutoUpdate: flag,
  additionalAttributes: z.array(z.object({ no: z.number(), value: text })).nullish(),
  registrationRoute: text,
  dateCreated: time.nullish().or(z.literal('')),
  dateLastLogin: time.nullish().or(z.literal('')),
  dateLastUpdated: time,
  purchasePoint: num,
  purchasePointExpirationDate: text,
  /** The LINE user id of futureshop's LINE login (assumed name). */
  lineId: text,
});
export type Member = z.infer<typeof member>;

const product = z.object({
  productNo: text,
  skuNo: text,
  name: z.string(),
  price: z.coerce.number(),
  count: z.coerce.number().int(),
});
const shipment = z.object({
  shipmentNo: z.union([z.number(), z.string()]).nullish(),
  shippingInfo: z
    .object({
      shippingDate: text,
      deliveryDate: text,
      deliveryCompanyName: text,
      slipNo: text,
    })
    .nullish(),
  productList: z.array(product),
});
export const order = z.object({
  orderNo: z.union([z.string().min(1), z.number()]).transform(String),
  date: time,
  dateLastUpdated: time,
  status: text,
  type: text,
  grandTotal: z.coerce.number(),
  subscriptionNo: z.union([z.string(), z.number()]).nullish(),
  subscriptionPeriodNo: z.union([z.string(), z.number()]).nullish(),
  buyerInfo: z.object({
    memberId: z.union([z.string(), z.number()]).nullish(),
    mail: text,
    mobileMail: text,
    telNoMain: text,
  }),
  shipmentList: z.array(shipment),
});
export type Order = z.infer<typeof order>;

/**
 * A list answer: records are read one by one, so one bad record does not spoil its page. Orders
 * come as `orderList` (the public client); members as `members` per an integrator, or
 * `memberList` by analogy with orders: either is read.
 */
export const listResponse = z.object({
  orderList: z.array(z.unknown()).optional(),
  members: z.array(z.unknown()).optional(),
  memberList: z.array(z.unknown()).optional(),
  nextUrl: z.string().nullish(),
});
