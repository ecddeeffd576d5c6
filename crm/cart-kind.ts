import { z } from 'zod';

/**
 * The EC carts Kizuna connects to (F3.1). The ids are stable storage keys; the names people
 * use for the carts vary, so the mapping is written down here:
 * - `rakuten`: Rakuten RMS (楽天ペイ受注API), called "Rakuten RMS" in research/cart-apis.md §2.
 * - `rakuraku`: 楽楽リピート, "raku2repeat" in research/cart-apis.md §6.2.
 * - `repeatplus`: リピスト, sold by プレックス; the research doc (§6.3) and SPEC write
 *   "リピスト (プレックス)". The id is only a key, not the product's name.
 * - `subsc_store`: サブスクストア by テモナ (§6.4). Not the Shopify subscription app whose docs
 *   also say "subscription store" (§6.4 warns about the mix-up).
 * - `colorme`: カラーミーショップ by GMO Pepabo (§5).
 */
export const CART_KINDS = [
  'shopify',
  'ecforce',
  'futureshop',
  'rakuten',
  'rakuraku',
  'repeatplus',
  'subsc_store',
  'colorme',
  'makeshop',
] as const;

export const cartKindSchema = z.enum(CART_KINDS);
export type CartKind = z.infer<typeof cartKindSchema>;

/** The names shops know the carts by, for the console and messages (Japanese first). */
export const CART_DISPLAY_NAMES: Readonly<Record<CartKind, { ja: string; en: string }>> = {
  shopify: { ja: 'Shopify', en: 'Shopify' },
  ecforce: { ja: 'ecforce', en: 'ecforce' },
  futureshop: { ja: 'futureshop', en: 'futureshop' },
  rakuten: { ja: '楽天市場 (RMS)', en: 'Rakuten Ichiba (RMS)' },
  rakuraku: { ja: '楽楽リピート', en: 'Rakuraku Repeat' },
  repeatplus: { ja: 'リピスト', en: 'Repeatist' },
  subsc_store: { ja: 'サブスクストア', en: 'Subsc Store' },
  colorme: { ja: 'カラーミーショップ', en: 'Color Me Shop' },
  makeshop: { ja: 'makeshop', en: 'makeshop' },
};

export function cartDisplayName(cart: CartKind, lang: 'ja' | 'en' = 'ja'): string {
  return CART_DISPLAY_NAMES[cart][lang];
}
