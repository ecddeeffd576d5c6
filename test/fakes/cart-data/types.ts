// The cart-neutral records of the seeded shop (see ../cart-data.ts).

export type PhoneFormat = 'hyphen' | 'plain' | 'split' | 'e164' | 'fullwidth' | 'spaced';

export interface ShopPhone {
  /** National digits, e.g. 09012345678: what every format below means. */
  digits: string;
  /** As the shopper typed it into a single field (for `split`, the parts joined by '-'). */
  raw: string;
  /** The same number in the three fields carts such as ecforce and Rakuten hold. */
  parts: [string, string, string];
  format: PhoneFormat;
  landline: boolean;
}

export interface ShopCustomer {
  /** 1-based, dense: carts use it (or map it) as their own id. */
  id: number;
  /** A 10-hex customer number, like ecforce's. */
  number: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  /** Raw: some upper-case, some space-padded, some on carrier domains; null when missing. */
  email: string | null;
  /** The cart made the address up because the shopper gave none (ecforce). */
  emailPlaceholder: boolean;
  phone: ShopPhone | null;
  /** Set when this record shares its phone with an earlier customer (a duplicate record). */
  samePhoneAs: number | null;
  /** YYYY-MM-DD */
  birthday: string | null;
  /** 'U' + 32 hex, when the cart runs its own LINE linkage. */
  lineUserId: string | null;
  orderCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShopProduct {
  code: string;
  name: string;
  price: number;
  /** Subscription course code when the product is sold as 定期. */
  courseCode: string | null;
}

export interface ShopOrderItem {
  productCode: string;
  courseCode: string | null;
  name: string;
  quantity: number;
  unitPrice: number;
}

export type ShopCarrier = 'yamato' | 'sagawa' | 'japanpost';
export type ShopOrderState = 'pending' | 'shipped' | 'cancelled';

export interface ShopOrder {
  id: number;
  number: string;
  customerId: number;
  orderedAt: Date;
  state: ShopOrderState;
  items: ShopOrderItem[];
  total: number;
  shippedAt: Date | null;
  /** お届け希望日, YYYY-MM-DD */
  deliveryDate: string | null;
  carrier: ShopCarrier | null;
  trackingNumber: string | null;
  subscriptionId: number | null;
  subscriptionSequence: number | null;
  updatedAt: Date;
}

export type ShopSubscriptionState = 'active' | 'paused' | 'cancelled';

export interface ShopSubscription {
  /** Equals the customer id: at most one subscription per customer keeps ids stream-stable. */
  id: number;
  number: string;
  customerId: number;
  courseCode: string;
  productCode: string;
  state: ShopSubscriptionState;
  deliveries: number;
  nextDeliveryAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShopData {
  customers: ShopCustomer[];
  orders: ShopOrder[];
  subscriptions: ShopSubscription[];
}

export interface GenerateOptions {
  /** The shop's "today"; every date lies before it. Default 2026-11-01T00:00:00Z. */
  now?: Date;
  /** Share of customers whose record reuses an earlier customer's phone. Default 0.08. */
  duplicatePhoneShare?: number;
  /** Share of customers who never ordered. Default 0.15. */
  noOrderShare?: number;
  /**
   * Share of customers last updated by one bulk CSV import, so they share one updated_at to the
   * second: the case that breaks naive updated-at cursors. Default 0.3.
   */
  bulkUpdateShare?: number;
  /**
   * Mean orders of a customer who ordered. Default: a young shop's mix of 1 to 6 (mean 2.5).
   * Benchmarks raise it to put a million orders on 200,000 customers.
   */
  ordersPerCustomer?: number;
}
