// Admin GraphQL nodes (2025-01 field names) → Kizuna's cart model. The zod schemas describe only
// what the connector's queries select; a node that does not match is skipped, never fatal.
import { z } from 'zod';
import type { Carrier, CartCustomer, CartOrder, CartSubscription } from '../../crm/cart.ts';

const nullableStr = z.string().nullable().optional();
const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a DateTime');
const decimal = z.string().refine((s) => Number.isFinite(Number(s)), 'not a decimal');
const money = z.object({ amount: decimal, currencyCode: z.string().optional() });

export const customerNode = z.object({
  id: z.string(),
  legacyResourceId: z.string(),
  email: nullableStr,
  verifiedEmail: z.boolean(),
  phone: nullableStr,
  firstName: nullableStr,
  lastName: nullableStr,
  state: z.string(),
  // UnsignedInt64 is string-encoded on the wire.
  numberOfOrders: z.union([z.string(), z.number()]),
  amountSpent: money,
  lastOrder: z.object({ name: z.string() }).nullable().optional(),
  tags: z.array(z.string()),
  note: nullableStr,
  emailMarketingConsent: z.object({ marketingState: z.string() }).nullable().optional(),
  smsMarketingConsent: z.object({ marketingState: z.string() }).nullable().optional(),
  defaultAddress: z
    .object({
      phone: nullableStr,
      company: nullableStr,
      zip: nullableStr,
      province: nullableStr,
      city: nullableStr,
      address1: nullableStr,
      address2: nullableStr,
    })
    .nullable()
    .optional(),
  createdAt: dateTime,
  updatedAt: dateTime,
});

export const orderNode = z.object({
  id: z.string(),
  legacyResourceId: z.string(),
  name: z.string(),
  email: nullableStr,
  phone: nullableStr,
  createdAt: dateTime,
  processedAt: dateTime,
  updatedAt: dateTime,
  cancelledAt: nullableStr,
  displayFinancialStatus: nullableStr,
  customer: z.object({ id: z.string() }).nullable().optional(),
  billingAddress: z.object({ phone: nullableStr }).nullable().optional(),
  totalPriceSet: z.object({ shopMoney: money }),
  lineItems: z.object({
    nodes: z.array(
      z.object({
        sku: nullableStr,
        name: z.string(),
        quantity: z.number(),
        originalUnitPriceSet: z.object({ shopMoney: money }),
        sellingPlan: z.object({ name: z.string() }).nullable().optional(),
        contract: z.object({ id: z.string() }).nullable().optional(),
      }),
    ),
  }),
  fulfillments: z.array(
    z.object({
      createdAt: dateTime,
      status: z.string(),
      trackingInfo: z.array(z.object({ company: nullableStr, number: nullableStr })),
    }),
  ),
});

export const subscriptionNode = z.object({
  id: z.string(),
  status: z.string(),
  nextBillingDate: nullableStr,
  updatedAt: dateTime,
  customer: z.object({ id: z.string() }).nullable().optional(),
  lines: z.object({
    nodes: z.array(z.object({ sku: nullableStr, sellingPlanName: nullableStr })),
  }),
});

export type CustomerNode = z.infer<typeof customerNode>;
export type OrderNode = z.infer<typeof orderNode>;
export type SubscriptionNode = z.infer<typeof subscriptionNode>;

/** Distinct non-empty phones, raw as the cart holds them (crm/identity.ts normalizes). */
export function phonesOf(...raw: Array<string | null | undefined>): string[] {
  const out: string[] = [];
  for (const p of raw) if (p?.trim() && !out.includes(p)) out.push(p);
  return out;
}

/** Japanese order: family name first. */
export function fullName(last: string | null | undefined, first: string | null | undefined) {
  return [last, first].filter((s) => s && s.trim()).join(' ') || null;
}

/** Shopify's tracking company names ("Yamato (JA)", "Japan Post (EN)", "佐川急便" ...). */
export function carrierOf(company: string | null | undefined): Carrier | null {
  if (!company?.trim()) return null;
  const c = company.toLowerCase();
  if (/yamato|kuroneko|ヤマト|クロネコ/.test(c)) return 'yamato';
  if (/sagawa|佐川/.test(c)) return 'sagawa';
  if (/japan ?post|yu-?pack|日本郵便|ゆうパック|ゆうパケット/.test(c)) return 'japanpost';
  return 'other';
}

export function yen(amount: string | number): number {
  return Math.round(Number(amount));
}

export function mapCustomer(n: CustomerNode): CartCustomer {
  const spent = yen(n.amountSpent.amount);
  const count = Number(n.numberOfOrders);
  const a = n.defaultAddress;
  return {
    externalId: n.id,
    number: n.legacyResourceId,
    // Raw, as the cart holds it: crm/identity.ts trims and lower-cases the matching key.
    email: n.email || null,
    // Only verified e-mails may link (F2.4): Shopify says so per customer.
    emailVerified: n.verifiedEmail,
    phones: phonesOf(n.phone, a?.phone),
    lineUserId: null,
    name: fullName(n.lastName, n.firstName),
    birthday: null,
    // The fields shops expect per friend (seed 001); the average is Kizuna's own (F4.6).
    customData: {
      state: n.state,
      numberOfOrders: count,
      amountSpent: spent,
      averageOrderAmount: count > 0 ? Math.round(spent / count) : null,
      lastOrder: n.lastOrder?.name ?? null,
      tags: n.tags.join(','),
      company: a?.company ?? null,
      zip: a?.zip ?? null,
      province: a?.province ?? null,
      city: a?.city ?? null,
      address1: a?.address1 ?? null,
      address2: a?.address2 ?? null,
      emailMarketingConsent: n.emailMarketingConsent?.marketingState ?? null,
      smsMarketingConsent: n.smsMarketingConsent?.marketingState ?? null,
      note: n.note ?? null,
    },
    createdAt: new Date(n.createdAt),
    updatedAt: new Date(n.updatedAt),
  };
}

export function mapOrder(n: OrderNode): CartOrder {
  // A cancelled fulfillment never shipped; the first live one is the shipping date.
  const shipped = n.fulfillments
    .filter((f) => f.status !== 'CANCELLED')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const tracking = shipped?.trackingInfo[0];
  const contract = n.lineItems.nodes.find((l) => l.contract)?.contract?.id ?? null;
  return {
    externalId: n.id,
    number: n.name,
    customerExternalId: n.customer?.id ?? null,
    // processedAt keeps the original date of imported orders; createdAt is when Shopify saw it.
    orderedAt: new Date(n.processedAt || n.createdAt),
    totalAmount: yen(n.totalPriceSet.shopMoney.amount),
    currency: n.totalPriceSet.shopMoney.currencyCode ?? 'JPY',
    status: n.displayFinancialStatus ?? null,
    cancelled: Boolean(n.cancelledAt),
    items: n.lineItems.nodes.map((l) => ({
      productCode: l.sku?.trim() || l.name,
      courseCode: l.sellingPlan?.name ?? null,
      name: l.name,
      quantity: l.quantity,
      unitPrice: yen(l.originalUnitPriceSet.shopMoney.amount),
    })),
    shippedAt: shipped ? new Date(shipped.createdAt) : null,
    requestedDeliveryDate: null,
    carrier: tracking ? carrierOf(tracking.company) : null,
    trackingNumber: tracking?.number ?? null,
    subscriptionExternalId: contract,
    subscriptionSequence: null,
    ordererPhones: phonesOf(n.phone, n.billingAddress?.phone),
    ordererEmail: n.email || null,
    updatedAt: new Date(n.updatedAt),
  };
}

export function mapSubscription(n: SubscriptionNode): CartSubscription {
  const line = n.lines.nodes[0];
  return {
    externalId: n.id,
    customerExternalId: n.customer?.id ?? null,
    rawStatus: n.status,
    courseCode: line?.sellingPlanName ?? line?.sku ?? null,
    nextDeliveryAt: n.nextBillingDate ? new Date(n.nextBillingDate) : null,
    // Shopify keeps no delivery counter on a contract.
    deliveries: null,
    updatedAt: new Date(n.updatedAt),
  };
}
