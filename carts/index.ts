import type { CartKind } from '../crm/cart-kind.ts';
import { colorme } from './colorme.ts';
import type { CartConnector } from './connector.ts';
import { ecforce } from './ecforce.ts';
import { futureshop } from './futureshop.ts';
import { makeshop } from './makeshop.ts';
import { rakuraku } from './rakuraku.ts';
import { rakuten } from './rakuten.ts';
import { repeatplus } from './repeatplus.ts';
import { shopify } from './shopify.ts';
import { subscStore } from './subsc-store.ts';

/**
 * The only registry of cart connectors. A cart without one here cannot be connected yet; the API
 * says so rather than accepting credentials it cannot use.
 */
const connectors: Partial<Record<CartKind, CartConnector<unknown>>> = {
  shopify: shopify as CartConnector<unknown>,
  ecforce: ecforce as CartConnector<unknown>,
  rakuten: rakuten as CartConnector<unknown>,
  makeshop: makeshop as CartConnector<unknown>,
  rakuraku: rakuraku as CartConnector<unknown>,
  repeatplus: repeatplus as CartConnector<unknown>,
  subsc_store: subscStore as CartConnector<unknown>,
  futureshop: futureshop as CartConnector<unknown>,
  colorme: colorme as CartConnector<unknown>,
};

export function connectorFor(cart: CartKind): CartConnector<unknown> | undefined {
  return connectors[cart];
}

export function supportedCarts(): CartKind[] {
  return Object.keys(connectors) as CartKind[];
}
