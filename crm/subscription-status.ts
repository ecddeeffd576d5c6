import type { CartKind } from './cart-kind.ts';

/**
 * A subscription's state in Kizuna's terms (F4.3): active (定期継続中), paused (停止),
 * cancelled (解約済み), or unknown when the cart said something not mapped here.
 */
export type SubscriptionStatus = 'active' | 'paused' | 'cancelled' | 'unknown';

export interface NormalizedSubscriptionStatus {
  status: SubscriptionStatus;
  /** The cart's own value, exactly as received: shown to staff and kept for re-mapping. */
  raw: string;
}

type Mapping = Readonly<Record<string, Exclude<SubscriptionStatus, 'unknown'>>>;

// Keys are written as `key()` produces them: NFKC, trimmed, lower-cased. Cited sections are
// those of research/cart-apis.md.
const MAPPINGS: Readonly<Record<CartKind, Mapping>> = {
  shopify: {
    // Admin API enum SubscriptionContractSubscriptionStatus (checked in the 2025-01 schema,
    // §1.3); webhooks send the same values lower-case (REST shape, §1.6).
    active: 'active',
    paused: 'paused',
    cancelled: 'cancelled',
    // EXPIRED: every billing cycle ran; FAILED: billing failed with no retries left. Both end
    // the contract for good, which in the three-state model is cancelled.
    expired: 'cancelled',
    failed: 'cancelled',
    // The admin's Japanese labels as SPEC F4.3 writes them.
    アクティブ: 'active',
    停止: 'paused',
    解約: 'cancelled',
  },
  ecforce: {
    // 定期受注 `state` codes and their `human_state` labels (§3.4 fixtures).
    active: 'active',
    suspend: 'paused',
    canceled: 'cancelled',
    有効: 'active',
    停止: 'paused',
    キャンセル: 'cancelled',
  },
  rakuraku: {
    // SPEC F4.3.
    ご注文継続: 'active',
    休止: 'paused',
    ご解約: 'cancelled',
    // An integrator's labels for 継続ステータス (§6.2).
    定期継続中: 'active',
    解約済み: 'cancelled',
  },
  repeatplus: {
    // SPEC F4.3; the API's own values are unverified (§6.3).
    継続: 'active',
    一時停止: 'paused',
    解約済: 'cancelled',
  },
  subsc_store: {
    // SPEC F4.3.
    継続: 'active',
    停止: 'paused',
    終了: 'cancelled',
    // The integrator's list shared with 楽楽リピート (§6.4).
    定期継続中: 'active',
    休止: 'paused',
    解約済み: 'cancelled',
  },
  rakuten: {
    // ReserveAPI `reserveStatus` 1 / `reserveStatusName` 申込中 (§2.3): a 定期購入 application
    // still running. Codes 101+ are named by each shop, so they stay unknown.
    '1': 'active',
    申込中: 'active',
  },
  // futureshop (§4.3: subscription order `type` unverified), カラーミー (§5.3: subscriptions
  // not in the API) and makeshop (§6.1) document no subscription status.
  futureshop: {},
  colorme: {},
  makeshop: {},
};

/** Full-width letters and digits, stray spaces and letter case do not change the meaning. */
function key(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** Never throws: a value not mapped here becomes `unknown`, keeping `raw` for staff to see. */
export function normalizeSubscriptionStatus(
  cart: CartKind,
  raw: string,
): NormalizedSubscriptionStatus {
  const mapping = MAPPINGS[cart];
  const k = key(raw);
  // Own properties only: a raw value such as "constructor" must not reach Object.prototype.
  const status = Object.hasOwn(mapping, k) ? mapping[k] : undefined;
  return { status: status ?? 'unknown', raw };
}
