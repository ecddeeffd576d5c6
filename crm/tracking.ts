import type { Carrier } from './cart.ts';

/** The carriers the purchase history names (F8.2); any other is shown as none. */
export type ShownCarrier = 'yamato' | 'sagawa' | 'japanpost';

/**
 * Each carrier's public tracking page for one number. The number is sent as the carrier's form
 * takes it: digits only (shops write slips as 1234-5678-9012 too).
 */
const TRACKING_URL: Readonly<Record<ShownCarrier, (n: string) => string>> = {
  yamato: (n) => `https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=${n}`,
  sagawa: (n) => `https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=${n}`,
  japanpost: (n) =>
    `https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=${n}&searchKind=S002&locale=ja`,
};

export function shownCarrier(carrier: Carrier | string | null): ShownCarrier | null {
  return carrier === 'yamato' || carrier === 'sagawa' || carrier === 'japanpost' ? carrier : null;
}

/** The tracking page of a shipment, or null (another carrier, or no usable number). */
export function trackingUrl(
  carrier: Carrier | string | null,
  trackingNumber: string | null,
): string | null {
  const shown = shownCarrier(carrier);
  const digits = (trackingNumber ?? '').normalize('NFKC').replace(/[\s-]/g, '');
  if (!shown || !/^[0-9A-Za-z]{6,30}$/.test(digits)) return null;
  return TRACKING_URL[shown](encodeURIComponent(digits));
}

/** The start of the purchase history's window: three calendar months before `now`. */
export function threeMonthsBefore(now: Date): Date {
  const since = new Date(now);
  since.setUTCMonth(since.getUTCMonth() - 3);
  return since;
}
