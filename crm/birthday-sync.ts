import type { CartKind } from './cart-kind.ts';

/**
 * Carts whose customer birthday may fill the friend's birthday (F4.4): リピスト, サブスクストア,
 * ecforce and 楽楽リピート. Shopify and Rakuten never (Shopify keeps no birthday; Rakuten's
 * orderer data is not the shopper's profile); the others are undecided, so off.
 */
const SYNCS_BIRTHDAY: Readonly<Record<CartKind, boolean>> = {
  ecforce: true,
  repeatplus: true,
  subsc_store: true,
  rakuraku: true,
  shopify: false,
  rakuten: false,
  futureshop: false,
  colorme: false,
  makeshop: false,
};

export function cartSyncsBirthday(cart: CartKind): boolean {
  return SYNCS_BIRTHDAY[cart];
}

/** The carts above as a list, for set-based SQL. */
export const BIRTHDAY_SYNC_CARTS: readonly CartKind[] = (
  Object.keys(SYNCS_BIRTHDAY) as CartKind[]
).filter((cart) => SYNCS_BIRTHDAY[cart]);
