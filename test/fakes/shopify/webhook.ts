// Plays Shopify's side of a webhook: the REST (snake_case) payload of the topic, signed with the
// app's client secret, X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(secret, raw body)).
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeCustomer, FakeOrder } from './store.ts';

export function signShopifyWebhook(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

const numericId = (gid: string) => Number(/(\d+)$/.exec(gid)![1]);

export function restCustomerPayload(c: FakeCustomer) {
  // 2025-01 customer payloads no longer carry tags or marketing consents.
  return {
    id: numericId(c.id),
    admin_graphql_api_id: c.id,
    email: c.email,
    verified_email: c.verifiedEmail,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    state: c.state.toLowerCase(),
    note: c.note,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    default_address: c.defaultAddress ? { phone: c.defaultAddress.phone ?? null } : null,
  };
}

export function restOrderPayload(o: FakeOrder, customer?: FakeCustomer) {
  return {
    id: numericId(o.id),
    admin_graphql_api_id: o.id,
    name: o.name,
    email: o.email,
    phone: o.phone,
    created_at: o.createdAt,
    processed_at: o.processedAt,
    updated_at: o.updatedAt,
    cancelled_at: o.cancelledAt,
    currency: o.totalPriceSet.shopMoney.currencyCode,
    total_price: o.totalPriceSet.shopMoney.amount,
    financial_status: o.displayFinancialStatus.toLowerCase(),
    customer: customer ? restCustomerPayload(customer) : null,
    billing_address: o.billingAddress,
    line_items: o.lineItems.map((l) => ({
      sku: l.sku,
      name: l.name,
      title: l.name,
      quantity: l.quantity,
      price: l.originalUnitPriceSet.shopMoney.amount,
      selling_plan_allocation: l.sellingPlan
        ? { selling_plan: { name: l.sellingPlan.name } }
        : null,
    })),
    fulfillments: o.fulfillments.map((f) => ({
      created_at: f.createdAt,
      status: f.status.toLowerCase(),
      tracking_company: f.trackingInfo[0]?.company ?? null,
      tracking_number: f.trackingInfo[0]?.number ?? null,
    })),
  };
}

export interface ShopifyWebhookOptions {
  /** Same id on a redelivery, as Shopify retries do. */
  webhookId?: string;
  /** Send this signature instead of the right one. */
  signature?: string;
  /** Change the body after signing (tamper tests). */
  tamper?: (raw: string) => string;
}

export interface SentShopifyWebhook {
  url: string;
  topic: string;
  webhookId: string;
  rawBody: string;
  status?: number;
}

export function createShopifyWebhookSender(
  shopDomain: string,
  secret: string,
  sent: SentShopifyWebhook[],
) {
  return async function send(
    url: string,
    topic: string,
    payload: unknown,
    opts: ShopifyWebhookOptions = {},
  ): Promise<Response> {
    const signed = JSON.stringify(payload);
    const rawBody = opts.tamper ? opts.tamper(signed) : signed;
    const webhookId = opts.webhookId ?? randomUUID();
    const record: SentShopifyWebhook = { url, topic, webhookId, rawBody };
    sent.push(record);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': opts.signature ?? signShopifyWebhook(secret, signed),
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-api-version': '2025-01',
        'x-shopify-webhook-id': webhookId,
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': new Date().toISOString(),
      },
      body: rawBody,
      signal: AbortSignal.timeout(5_000),
    });
    record.status = res.status;
    return res;
  };
}
