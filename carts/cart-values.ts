// Small readings of values Japanese carts write alike (dates, carrier names, split names), shared
// by the リピスト and サブスクストア mappings.
import type { Carrier } from '../crm/cart.ts';

const JST = 9 * 3_600_000;

/** A calendar date → YYYY-MM-DD (carts also write YYYY/M/D). */
export function ymd(s: string | null | undefined): string | null {
  const m = s ? /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(s) : null;
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
}

/** A JST calendar date → its midnight in JST (follow-ups count days from it, F6.4). */
export function jstDate(s: string | null | undefined): Date | null {
  const d = ymd(s);
  return d ? new Date(Date.parse(`${d}T00:00:00Z`) - JST) : null;
}

/** The carrier named in free text; only ヤマト, 佐川 and 日本郵便 are shown by name (F8.2). */
export function carrierOf(name: string | null | undefined): Carrier | null {
  if (!name) return null;
  if (/ヤマト|クロネコ|yamato/i.test(name)) return 'yamato';
  if (/佐川|sagawa/i.test(name)) return 'sagawa';
  if (/郵便|ゆうパ|japan ?post/i.test(name)) return 'japanpost';
  return 'other';
}

/** Family and given name (or kana) as one, null when both are missing. */
export const joinName = (x?: string | null, y?: string | null) =>
  [x, y].filter(Boolean).join(' ') || null;

/** The non-blank values, kept raw (identity keys are derived when stored, crm/identity.ts). */
export const present = (xs: Array<string | null | undefined>) =>
  xs.filter((x): x is string => !!x && x.trim() !== '');
