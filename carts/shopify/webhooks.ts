// Shopify webhooks: HMAC over the raw body with the app's client secret, the delivery id for
// dedupe, and the REST-shaped (snake_case) payloads of the topics Kizuna subscribes to.
import type { CartCustomer, CartOrder, CartShipment } from '../../crm/cart.ts';
import type { CartWebhooks, WebhookChange } from '../connector.ts';
import type { ShopifyCredentials } from './client.ts';
import { carrierOf, fullName, phonesOf, yen } from './map.ts';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
/** Identity fields stay as the cart gave them (crm/identity.ts derives the matching keys). */
const raw = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const date = (v: unknown): Date | null => {
  const s = str(v);
  const d = s ? new Date(s) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

/** REST payloads carry numeric ids; Kizuna keys Shopify records by GID, as GraphQL does. */
function gid(type: string, p: Json): string | null {
  return str(p.admin_graphql_api_id) ?? (str(p.id) ? `gid://shopify/${type}/${str(p.id)}` : null);
}

export function restCustomer(p: Json): CartCustomer | null {
  const id = gid('Customer', p);
  if (!id) return null;
  const address = obj(p.default_address);
  return {
    externalId: id,
    number: str(p.id),
    email: raw(p.email),
    emailVerified: p.verified_email === true,
    phones: phonesOf(raw(p.phone), raw(address.phone)),
    lineUserId: null,
    name: fullName(str(p.last_name), str(p.first_name)),
    birthday: null,
    createdAt: date(p.created_at),
    updatedAt: date(p.updated_at) ?? new Date(0),
  };
}

export function restOrder(p: Json): CartOrder | null {
  const id = gid('Order', p);
  const orderedAt = date(p.processed_at) ?? date(p.created_at);
  if (!id || !orderedAt) return null;
  const shipped = arr(p.fulfillments)
    .filter((f) => f.status !== 'cancelled')
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))[0];
  const customer = obj(p.customer);
  const items = arr(p.line_items);
  const contract = items.map((l) => obj(l.subscription_contract)).find((c) => c.id);
  return {
    externalId: id,
    number: str(p.name),
    customerExternalId: Object.keys(customer).length ? gid('Customer', customer) : null,
    orderedAt,
    totalAmount: yen(str(p.total_price) ?? 0),
    currency: str(p.currency) ?? 'JPY',
    // REST says `partially_paid` where GraphQL says PARTIALLY_PAID: store one spelling.
    status: str(p.financial_status)?.toUpperCase() ?? null,
    cancelled: date(p.cancelled_at) !== null,
    items: items.map((l) => ({
      productCode: str(l.sku) ?? str(l.name) ?? '',
      courseCode: str(obj(obj(l.selling_plan_allocation).selling_plan).name),
      name: str(l.name) ?? str(l.title) ?? '',
      quantity: Number(l.quantity ?? 0),
      unitPrice: yen(str(l.price) ?? 0),
    })),
    shippedAt: shipped ? date(shipped.created_at) : null,
    requestedDeliveryDate: null,
    carrier: shipped ? carrierOf(str(shipped.tracking_company)) : null,
    trackingNumber: shipped ? str(shipped.tracking_number) : null,
    subscriptionExternalId: contract ? gid('SubscriptionContract', contract) : null,
    subscriptionSequence: null,
    ordererPhones: phonesOf(raw(p.phone), raw(obj(p.billing_address).phone)),
    ordererEmail: raw(p.email),
    updatedAt: date(p.updated_at) ?? orderedAt,
  };
}

/**
 * What a fulfillments/create or /update payload says about its order's shipping. It carries the
 * fulfillment alone (order_id, tracking), not the order, so it updates the stored order's shipping
 * and nothing else; a cancelled or undated fulfillment says nothing.
 */
export function restFulfillment(p: Json): CartShipment | null {
  const order = str(p.order_id);
  const shippedAt = date(p.created_at);
  if (!order || !shippedAt || p.status === 'cancelled') return null;
  const numbers = Array.isArray(p.tracking_numbers) ? p.tracking_numbers : [];
  return {
    orderExternalId: `gid://shopify/Order/${order}`,
    shippedAt,
    carrier: carrierOf(str(p.tracking_company)),
    trackingNumber: str(p.tracking_number) ?? str(numbers[0]),
  };
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function fromBase64(s: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(s.trim()), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Web Crypto, so the same code verifies on Node and on Workers. */
export async function hmacSha256(secret: string, body: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, body as Uint8Array<ArrayBuffer>));
}

export const shopifyWebhooks: CartWebhooks<ShopifyCredentials> = {
  async verify(credentials, headers, rawBody) {
    const given = fromBase64(headers.get('x-shopify-hmac-sha256') ?? '');
    // Without the app's client secret nothing can be trusted.
    if (!credentials.webhookSecret || !given || given.length === 0) return false;
    return timingSafeEqual(given, await hmacSha256(credentials.webhookSecret, rawBody));
  },
  deliveryId: (headers) => headers.get('x-shopify-webhook-id'),
  parse(headers, body): WebhookChange[] {
    const p = obj(body);
    const topic = headers.get('x-shopify-topic') ?? '';
    switch (topic) {
      case 'orders/create':
      case 'orders/updated': {
        const order = restOrder(p);
        return order ? [{ kind: 'order', order }] : [];
      }
      case 'customers/create':
      case 'customers/update': {
        const customer = restCustomer(p);
        return customer ? [{ kind: 'customer', customer }] : [];
      }
      case 'checkouts/create':
      case 'checkouts/update': {
        const id = str(p.id) ?? str(p.token);
        return id ? [{ kind: 'checkout', checkoutId: id, payload: body }] : [];
      }
      case 'fulfillments/create':
      case 'fulfillments/update': {
        const shipment = restFulfillment(p);
        return shipment ? [{ kind: 'shipment', shipment }] : [];
      }
      default:
        // Unknown topics are recorded by the caller and change nothing here.
        return [];
    }
  },
};
