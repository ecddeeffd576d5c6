import type { CartKind } from './cart-kind.ts';
import type { SubscriptionStatus } from './subscription-status.ts';

/** What Kizuna derives from a friend's orders in every linked cart (F4.2). */
export interface PurchaseStats {
  orderCount: number;
  /** Yen, cancelled orders left out. */
  totalAmount: number;
  averageAmount: number | null;
  firstOrderedAt: Date | null;
  lastOrderedAt: Date | null;
  productCodes: string[];
  courseCodes: string[];
}

/** One of the friend's subscriptions, normalized with the cart's own value kept (F4.3). */
export interface FriendSubscription {
  connectionId: string;
  cart: CartKind;
  externalId: string;
  customerExternalId: string | null;
  status: SubscriptionStatus;
  rawStatus: string;
  courseCode: string | null;
  nextDeliveryAt: Date | null;
  deliveries: number | null;
}

const RANK: Readonly<Record<SubscriptionStatus, number>> = {
  active: 3,
  paused: 2,
  cancelled: 1,
  unknown: 0,
};

/**
 * The friend's one subscription status across carts and records: the liveliest wins (one active
 * course makes the friend 定期継続中 even if an older one was cancelled); null when none.
 */
export function friendSubscriptionStatus(
  subscriptions: ReadonlyArray<{ status: SubscriptionStatus }>,
): SubscriptionStatus | null {
  let best: SubscriptionStatus | null = null;
  for (const { status } of subscriptions)
    if (best === null || RANK[status] > RANK[best]) best = status;
  return best;
}
