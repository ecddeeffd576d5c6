import type { z } from 'zod';
import type {
  CartCustomer,
  CartKind,
  CartOrder,
  CartProduct,
  CartShipment,
  CartSubscription,
} from '../crm/cart.ts';

/**
 * What every cart connector answers (one file per cart, registered in carts/index.ts). A connector
 * speaks its cart's real API over `fetch` and turns records into crm/cart.ts types; it holds no
 * state and touches no database: the import engine persists pages and cursors.
 */
export interface CartConnector<Credentials = Record<string, string>> {
  kind: CartKind;
  /** Fields a connection needs (validated at connect time; every field is stored encrypted). */
  credentials: z.ZodType<Credentials>;
  /** Checks the credentials against the cart; throws CartError('bad_credentials' | 'not_found', field). */
  verify(ctx: ConnectorContext<Credentials>): Promise<void>;
  /** Customers changed after `cursor` (null = everything), a page at a time, oldest change first. */
  customers(
    ctx: ConnectorContext<Credentials>,
    cursor: string | null,
  ): AsyncIterable<Page<CartCustomer>>;
  orders(ctx: ConnectorContext<Credentials>, cursor: string | null): AsyncIterable<Page<CartOrder>>;
  subscriptions?(
    ctx: ConnectorContext<Credentials>,
    cursor: string | null,
  ): AsyncIterable<Page<CartSubscription>>;
  /** The whole catalog (F4.5), a page at a time; `cursor` stays null (it is always listed whole). */
  products?(ctx: ConnectorContext<Credentials>): AsyncIterable<Page<CartProduct>>;
  /**
   * The store these credentials open, when they name it (a shop domain): the same store connected
   * to two bots is allowed but warned about (F3.3), since both import its customers and share its
   * API limits. Carts whose credentials do not name the store (Rakuten) leave it out.
   */
  storeKey?(credentials: Credentials): string;
  /** The customer's page in the cart's admin, for the staff console. */
  customerAdminUrl(
    credentials: Credentials,
    customer: { externalId: string; number?: string | null },
  ): string;
  webhooks?: CartWebhooks<Credentials>;
}

export interface ConnectorContext<Credentials = Record<string, string>> {
  credentials: Credentials;
  /** Overrides the cart's API base URL (tests, demos, staging). */
  baseUrl?: string | undefined;
  fetch: typeof fetch;
  /** Injected so tests can make backoff instant and the clock deterministic. */
  sleep(ms: number): Promise<void>;
  now(): Date;
  signal?: AbortSignal | undefined;
}

/**
 * One page of records. `cursor` is where to resume after this page: the import engine stores it
 * only once the page's rows have committed, so a killed import resumes without gaps or duplicates.
 */
export interface Page<T> {
  items: T[];
  /** Records the cart returned but that could not be read; reported, never fatal. */
  skipped: SkippedRecord[];
  cursor: string | null;
}

export interface SkippedRecord {
  externalId: string | null;
  reason: string;
}

export interface CartWebhooks<Credentials> {
  /** Verifies the cart's signature over the raw body (e.g. X-Shopify-Hmac-Sha256). */
  verify(credentials: Credentials, headers: Headers, rawBody: Uint8Array): Promise<boolean>;
  /** The cart's delivery id for deduplication (e.g. X-Shopify-Webhook-Id). */
  deliveryId(headers: Headers): string | null;
  parse(headers: Headers, body: unknown): WebhookChange[];
}

export type WebhookChange =
  | { kind: 'customer'; customer: CartCustomer }
  | { kind: 'order'; order: CartOrder }
  | { kind: 'subscription'; subscription: CartSubscription }
  /** Shipping news of an order already known (Shopify: fulfillments/create and /update). */
  | { kind: 'shipment'; shipment: CartShipment }
  | { kind: 'checkout'; checkoutId: string; payload: unknown };

/** Failures in words a shop understands (F3.5); `kind` decides retrying. */
export type CartErrorKind =
  | 'bad_credentials' // wrong token/key/secret: never retried, shown to staff
  | 'revoked' // worked before, refused now: sync stops, staff must reconnect
  | 'not_found' // wrong shop domain / URL
  | 'rate_limited' // back off and retry
  | 'unavailable' // 5xx, timeout, network: retry with backoff
  | 'malformed'; // the cart answered something we cannot read

export class CartError extends Error {
  constructor(
    readonly kind: CartErrorKind,
    message: string,
    /** The credential field at fault, for connect-time errors. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CartError';
  }
}
