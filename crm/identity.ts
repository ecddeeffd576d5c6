import { parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';
import type { CartKind } from './cart-kind.ts';

// Phone numbers and e-mails as matching keys (F2.3). Facts cited as §n are from
// research/cart-apis.md; the table in §7 was checked against libphonenumber-js 1.13.16.

export type PhoneResult =
  | { ok: true; e164: string }
  | { ok: false; reason: 'empty' | 'not_a_number' | 'too_short' | 'too_long' | 'invalid' };

export type EmailResult = { ok: true; email: string } | { ok: false; reason: 'empty' | 'invalid' };

/** Zero-width characters that ride along when a number or address is copied from a web page. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/**
 * Dash look-alikes Japanese input methods produce between digit groups. libphonenumber-js knows
 * most of them, but not the tildes: it reads `〜`/`~` as an extension mark, so
 * `090〜1234〜5678` would lose its last group.
 */
const DASHES = /[\u2010-\u2015\u2212\u30FC\uFF0D~\u301C\uFF5E]/g;

/** Japan's international prefix is 010, but shoppers copy `0081` from other countries' habits. */
const LEADING_0081 = /^00[\s-]*81(?=[\s\-(]*\d)/;

/** Extensions are dropped (the key is the line); `内線` is the Japanese way to write one. */
const NAISEN = /内線/g;

/** How many digits a number may be off by and still be told "too short"/"too long". */
const MAX_DIGITS_OFF = 3;

/**
 * A phone number as E.164 (`+819012345678`). Japan is the default country: a number without a
 * country code is read as Japanese, with or without its trunk 0 (spreadsheets drop it, §7).
 * Numbers with an explicit country code (`+1 …`, `010-1-…`, `0081-…`) are kept in their country.
 * Only numbers `libphonenumber-js/max` calls valid pass: the min metadata accepts a Japanese
 * mobile number one digit short (§7).
 */
export function normalizePhone(input: string): PhoneResult {
  const text = input
    .normalize('NFKC') // full-width digits, ＋, （）, ideographic space
    .replace(INVISIBLE, '')
    .replace(DASHES, '-')
    .replace(NAISEN, ' ext. ')
    .trim()
    .replace(LEADING_0081, '+81');
  if (text === '') return { ok: false, reason: 'empty' };
  if (!/\d/.test(text)) return { ok: false, reason: 'not_a_number' };

  const parsed = parsePhoneNumberFromString(text, 'JP');
  if (parsed?.isValid()) return { ok: true, e164: parsed.number };

  switch (validatePhoneNumberLength(text, 'JP')) {
    case 'NOT_A_NUMBER':
      return { ok: false, reason: 'not_a_number' };
    case 'TOO_SHORT':
      return { ok: false, reason: 'too_short' };
    case 'TOO_LONG':
      return { ok: false, reason: 'too_long' };
    case 'INVALID_COUNTRY':
    case 'INVALID_LENGTH':
    case undefined:
      break;
  }
  // The library gives up on input it cannot read at all; past E.164's 15 digits plus a prefix
  // such as 010 that can only be too many digits.
  if (!parsed) return { ok: false, reason: digitCount(text) > 17 ? 'too_long' : 'not_a_number' };
  return { ok: false, reason: lengthReason(parsed.number) };
}

function digitCount(text: string): number {
  return text.replace(/\D/g, '').length;
}

/**
 * Why a number the library parsed is not valid. The length rules of the metadata are per
 * country, not per kind of number (a 9-digit `090…` fits Japan's lengths but no mobile
 * number), so ask instead: would the number be valid with a few digits more, or fewer? That
 * is what a shopper who slipped on the keypad needs to hear.
 */
function lengthReason(e164: string): 'too_short' | 'too_long' | 'invalid' {
  for (let k = 1; k <= MAX_DIGITS_OFF; k++) {
    if (parsePhoneNumberFromString(e164 + '0'.repeat(k))?.isValid()) return 'too_short';
    if (parsePhoneNumberFromString(e164.slice(0, -k))?.isValid()) return 'too_long';
  }
  return 'invalid';
}

/**
 * One number from a cart that splits it into fields: Rakuten's `phoneNumber1/2/3` (one of
 * which may be null, §2.3), ecforce's `tel01/02/03` (§3.4). Blank parts are skipped, the rest
 * joined with `-`, so `normalizePhone` sees the groups the shopper typed.
 */
export function joinPhoneParts(parts: readonly (string | undefined | null)[]): string {
  return parts
    .map((part) => (part ?? '').trim())
    .filter((part) => part !== '')
    .join('-');
}

/**
 * An e-mail address as a matching key: NFKC (full-width `＠` and letters), trimmed, the whole
 * address lower-cased (SPEC F2.3; strictly the local part is case-sensitive, but no Japanese
 * provider treats it so, §7).
 *
 * The check is deliberately lenient, not RFC 5322 (nor zod's `email()`): Japanese carrier
 * addresses registered before 2009 may have consecutive dots or a dot before `@` and are still
 * in use (§7). It takes: one `@`; a local part of 1–64 characters from the RFC's unquoted set
 * (dots anywhere); a domain of at least two dot-separated labels of letters, digits and
 * inner hyphens (IDN letters allowed), the last one alphabetic or punycode; 254 characters in all.
 */
export function normalizeEmail(input: string): EmailResult {
  const email = input.normalize('NFKC').replace(INVISIBLE, '').trim().toLowerCase();
  if (email === '') return { ok: false, reason: 'empty' };
  return isPlausibleEmail(email) ? { ok: true, email } : { ok: false, reason: 'invalid' };
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;
const TOP_LEVEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;

function isPlausibleEmail(email: string): boolean {
  if (email.length > 254) return false;
  const parts = email.split('@');
  if (parts.length !== 2) return false;
  const [local = '', domain = ''] = parts;
  if (!LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  const last = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l)) && TOP_LEVEL.test(last);
}

/** Hints a cart gives about an address beside the address itself. */
export interface EmailHints {
  /** ecforce's `is_auto_generated_email` on the customer (§3.4, §7). */
  autoGenerated?: boolean | null;
}

/**
 * Rakuten's relay addresses (楽天あんしんメルアドサービス), e.g. `…@pc.fw.rakuten.ne.jp`:
 * §2.3 and §7. Matched on the `fw.rakuten.ne.jp` parent so other relay hosts under it are caught
 * too. Checked for every cart, because a friend may paste one into the form from a Rakuten mail.
 */
const RAKUTEN_RELAY = /@(?:[a-z0-9-]+\.)*fw\.rakuten\.ne\.jp$/;

/**
 * Addresses a cart made up rather than got from the shopper: they must never link, or every
 * customer sharing the made-up address would link to one friend. Pass the address as it comes
 * from the cart or the form; it is normalized here.
 */
export function isPlaceholderEmail(email: string, cart: CartKind, hints: EmailHints = {}): boolean {
  const normalized = normalizeEmail(email);
  if (!normalized.ok) return false;
  if (RAKUTEN_RELAY.test(normalized.email)) return true;
  switch (cart) {
    case 'rakuten':
      // Every buyer address the RMS APIs return is masked (§2.3 getOrder "メールアドレスは
      // マスキングされています"; the ReserveAPI sample shows `xxx@xxx.xxx`, §2.4): none is the
      // shopper's own, whatever its domain. Rakuten links by phone only.
      return true;
    case 'ecforce':
      // ecforce flags its placeholders instead of using a documented pattern (§3.4).
      return hints.autoGenerated === true;
    case 'shopify':
    case 'futureshop':
    case 'rakuraku':
    case 'repeatplus':
    case 'subsc_store':
    case 'colorme':
    case 'makeshop':
      // No placeholder scheme is documented for these carts (§1, §4, §5, §6).
      return false;
    default: {
      const unreachable: never = cart;
      return unreachable;
    }
  }
}
