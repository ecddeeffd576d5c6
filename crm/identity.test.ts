import { describe, expect, it } from 'vitest';
import { CART_KINDS } from './cart-kind.ts';
import { isPlaceholderEmail, joinPhoneParts, normalizeEmail, normalizePhone } from './identity.ts';

const MOBILE = '+819012345678';
const TOKYO = '+81312345678';

describe('normalizePhone: accepted inputs', () => {
  const cases: [input: string, e164: string][] = [
    // how shoppers type a mobile number
    ['090-1234-5678', MOBILE],
    ['09012345678', MOBILE],
    ['090 1234 5678', MOBILE],
    ['  090-1234-5678\n', MOBILE],
    ['\t09012345678 ', MOBILE],
    ['(090)1234-5678', MOBILE],
    ['090(1234)5678', MOBILE],
    ['090.1234.5678', MOBILE],
    ['080-1234-5678', '+818012345678'],
    ['070-1234-5678', '+817012345678'],
    // full-width digits and every dash a Japanese keyboard produces
    ['０９０－１２３４－５６７８', MOBILE],
    ['０９０１２３４５６７８', MOBILE],
    ['090ー1234ー5678', MOBILE], // katakana long-vowel mark
    ['090ｰ1234ｰ5678', MOBILE], // half-width long-vowel mark
    ['090−1234−5678', MOBILE], // minus sign U+2212
    ['090‐1234‐5678', MOBILE], // hyphen U+2010
    ['090–1234–5678', MOBILE], // en dash
    ['090—1234—5678', MOBILE], // em dash
    ['090―1234―5678', MOBILE], // horizontal bar
    ['090〜1234〜5678', MOBILE], // wave dash: libphonenumber alone reads it as an extension
    ['090～1234～5678', MOBILE], // full-width tilde
    ['090~1234~5678', MOBILE],
    ['０９０　１２３４　５６７８', MOBILE], // ideographic spaces
    ['（０９０）１２３４－５６７８', MOBILE],
    ['090\u200B1234\u200B5678', MOBILE], // zero-width spaces from a copied web page
    // with the country code
    ['+81 90 1234 5678', MOBILE],
    ['+81-90-1234-5678', MOBILE],
    ['+819012345678', MOBILE],
    ['+81 (0)90-1234-5678', MOBILE],
    ['+8109012345678', MOBILE], // stray trunk 0 after the country code
    ['＋８１　９０　１２３４　５６７８', MOBILE],
    ['tel:+81-90-1234-5678', MOBILE],
    // country code without "+": read as Japan's code, since no Japanese number starts 81…
    ['819012345678', MOBILE],
    ['81-90-1234-5678', MOBILE],
    ['81901234567 8', MOBILE], // a stray space inside is only a separator
    // international prefixes: 010 is Japan's; 0081 is taken too (habit from abroad)
    ['010-81-90-1234-5678', MOBILE],
    ['0081-90-1234-5678', MOBILE],
    ['0081 90 1234 5678', MOBILE],
    ['0081-090-1234-5678', MOBILE],
    ['００８１－９０－１２３４－５６７８', MOBILE],
    // trunk 0 lost in a spreadsheet
    ['9012345678', MOBILE],
    // landlines and other services
    ['03-1234-5678', TOKYO],
    ['(03) 1234-5678', TOKYO],
    ['(03)1234-5678', TOKYO],
    ['03 1234 5678', TOKYO],
    ['0312345678', TOKYO],
    ['（０３）１２３４－５６７８', TOKYO],
    ['+81-3-1234-5678', TOKYO],
    ['06-6123-4567', '+81661234567'],
    ['011-231-4567', '+81112314567'],
    ['0466-12-3456', '+81466123456'],
    ['01267-2-3456', '+81126723456'],
    ['0120-123-456', '+81120123456'],
    ['0120123456', '+81120123456'],
    ['0800-123-4567', '+818001234567'],
    ['0570-012-345', '+81570012345'],
    ['050-1234-5678', '+815012345678'],
    ['020-1234-5678', '+812012345678'],
    // extensions are dropped: the key is the line
    ['03-1234-5678 内線123', TOKYO],
    ['090-1234-5678 ext. 12', MOBILE],
    ['03-1234-5678#12', TOKYO],
    // labels around the number, as carts store them
    ['携帯 090-1234-5678', MOBILE],
    ['TEL:03-1234-5678', TOKYO],
    // foreign numbers keep their country
    ['+1 202-555-0143', '+12025550143'],
    ['+1 800 555 0100', '+18005550100'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['+82 10-1234-5678', '+821012345678'],
    ['010-1-202-555-0143', '+12025550143'],
  ];

  it.each(cases)('%j → %s', (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164 });
  });

  it('is idempotent: an E.164 result normalizes to itself', () => {
    for (const [, e164] of cases) expect(normalizePhone(e164)).toEqual({ ok: true, e164 });
  });
});

describe('normalizePhone: rejected inputs', () => {
  const cases: [input: string, reason: string][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['\u3000\t', 'empty'],
    ['\u200B', 'empty'],
    ['abc', 'not_a_number'],
    ['-', 'not_a_number'],
    ['+', 'not_a_number'],
    ['なし', 'not_a_number'],
    ['090-abcd-5678', 'not_a_number'],
    ['09O-1234-5678', 'not_a_number'], // letter O for zero
    ['1', 'too_short'],
    ['12', 'too_short'],
    ['+81', 'too_short'],
    ['12345678', 'too_short'],
    ['090-123', 'too_short'],
    ['090-1234-5', 'too_short'],
    ['090-1234-56', 'too_short'],
    ['090-1234-567', 'too_short'], // the min metadata would call this valid
    ['03-1234-567', 'too_short'],
    ['0120-12-345', 'too_short'],
    ['+1 234', 'too_short'],
    ['+44 20 7946 095', 'too_short'],
    ['090-1234-56789', 'too_long'],
    ['090-1234-567890', 'too_long'],
    ['090-1234-5678901', 'too_long'],
    ['+8190123456789', 'too_long'],
    ['03-1234-56789', 'too_long'],
    ['0120-123-4567', 'too_long'],
    ['+44 20 7946 09581', 'too_long'],
    ['09012345678901234567890', 'too_long'],
    ['1'.repeat(300), 'too_long'],
    ['090-1234-5678 / 03-1234-5678', 'too_long'], // two numbers in one field
    ['00-0000-0000', 'invalid'], // futureshop's sample filler (§4.3)
    ['0000000000', 'invalid'],
    ['090-0000-0000', 'invalid'],
    ['0044 20 7946 0958', 'invalid'], // only 0081 is read as an international prefix
  ];

  it.each(cases)('%j → %s', (input, reason) => {
    expect(normalizePhone(input)).toEqual({ ok: false, reason });
  });
});

describe('normalizePhone: every way of writing one number gives one key', () => {
  // A generated table standing in for property tests (fast-check is not installed): each
  // prefix × separator × digit width × padding combination must give the same E.164.
  const prefixes = ['0', '+81 ', '+81-', '+81 (0)', '81', '010-81-', '0081-', '0081 '];
  const separators = ['-', ' ', '', '－', 'ー', '−', '‐', '〜', '\u3000', '.'];
  const widths = [(s: string) => s, toFullWidth];
  const paddings = [(s: string) => s, (s: string) => `  ${s}\t`];
  const numbers: [groups: [string, string, string], e164: string][] = [
    [['90', '1234', '5678'], MOBILE],
    [['80', '9876', '5432'], '+818098765432'],
    [['3', '1234', '5678'], TOKYO],
    [['120', '123', '456'], '+81120123456'],
  ];

  it('holds for all combinations', () => {
    let checked = 0;
    for (const [[a, b, c], e164] of numbers)
      for (const prefix of prefixes)
        for (const sep of separators)
          for (const width of widths)
            for (const pad of paddings) {
              const input = pad(width(`${prefix}${a}${sep}${b}${sep}${c}`));
              expect(normalizePhone(input), input).toEqual({ ok: true, e164 });
              checked++;
            }
    expect(checked).toBe(numbers.length * prefixes.length * separators.length * 4);
  });

  it('says too_short or too_long when a mobile number is a digit off, whatever the format', () => {
    for (const sep of separators)
      for (const width of widths) {
        const short = width(`090${sep}1234${sep}567`);
        const long = width(`090${sep}1234${sep}56789`);
        expect(normalizePhone(short), short).toEqual({ ok: false, reason: 'too_short' });
        expect(normalizePhone(long), long).toEqual({ ok: false, reason: 'too_long' });
      }
  });
});

function toFullWidth(s: string): string {
  return s.replace(/[0-9+()\-.]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}

describe('joinPhoneParts', () => {
  it.each([
    [['090', '1234', '5678'], '090-1234-5678'],
    [[' 03 ', '1234', '5678'], '03-1234-5678'],
    [['0312', null, '345678'], '0312-345678'], // Rakuten: one part may be null
    [['090', undefined, '12345678'], '090-12345678'],
    [['', '  ', null], ''],
    [[], ''],
  ])('%j → %j', (parts, joined) => {
    expect(joinPhoneParts(parts)).toBe(joined);
  });

  it('feeds normalizePhone', () => {
    expect(normalizePhone(joinPhoneParts(['090', '1234', '5678']))).toEqual({
      ok: true,
      e164: MOBILE,
    });
    expect(normalizePhone(joinPhoneParts(['０３', '１２３４', '５６７８']))).toEqual({
      ok: true,
      e164: TOKYO,
    });
    expect(normalizePhone(joinPhoneParts([null, null, null]))).toEqual({
      ok: false,
      reason: 'empty',
    });
  });
});

describe('normalizeEmail', () => {
  it.each([
    [' Taro@Example.COM ', 'taro@example.com'],
    ['ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'taro@example.com'],
    ['TARO＠EXAMPLE.JP', 'taro@example.jp'],
    ['\u3000taro@example.jp\u3000', 'taro@example.jp'],
    ['taro\u200B@example.jp', 'taro@example.jp'],
    ['taro+line@gmail.com', 'taro+line@gmail.com'], // no plus folding
    ['ta.ro@gmail.com', 'ta.ro@gmail.com'], // no dot folding
    ['taro@sub.domain.co.jp', 'taro@sub.domain.co.jp'],
    // legacy carrier addresses that break RFC 5322 are real customers (§7)
    ['taro..ya.@docomo.ne.jp', 'taro..ya.@docomo.ne.jp'],
    ['.taro@ezweb.ne.jp', '.taro@ezweb.ne.jp'],
    ["o'brien@example.com", "o'brien@example.com"],
    ['taro@例え.jp', 'taro@例え.jp'],
    ['taro@xn--eckwd4c7c.xn--zckzah', 'taro@xn--eckwd4c7c.xn--zckzah'],
  ])('%j → %j', (input, email) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, email });
  });

  it.each([
    ['', 'empty'],
    ['  \u3000', 'empty'],
    ['taro', 'invalid'],
    ['taro@', 'invalid'],
    ['@example.com', 'invalid'],
    ['taro@example', 'invalid'],
    ['taro@@example.com', 'invalid'],
    ['taro@a@example.com', 'invalid'],
    ['taro@ex ample.com', 'invalid'],
    ['taro example@x.jp', 'invalid'],
    ['太郎@example.jp', 'invalid'],
    ['"taro"@example.jp', 'invalid'],
    ['taro@-a.jp', 'invalid'],
    ['taro@a-.jp', 'invalid'],
    ['taro@a..jp', 'invalid'],
    ['taro@a.1', 'invalid'],
    ['taro@a.b', 'invalid'],
    ['x'.repeat(65) + '@example.jp', 'invalid'],
    ['taro@' + 'a'.repeat(64) + '.jp', 'invalid'],
    ['taro@' + 'a.'.repeat(125) + 'jp', 'invalid'], // over 254 characters
  ])('%j → %s', (input, reason) => {
    expect(normalizeEmail(input)).toEqual({ ok: false, reason });
  });
});

describe('isPlaceholderEmail', () => {
  it("takes Rakuten's relay addresses as placeholders in every cart", () => {
    for (const cart of CART_KINDS) {
      expect(isPlaceholderEmail('815db15f0a@pc.fw.rakuten.ne.jp', cart), cart).toBe(true);
      expect(isPlaceholderEmail(' ABC@PC.FW.RAKUTEN.NE.JP ', cart), cart).toBe(true);
      expect(isPlaceholderEmail('abc@fw.rakuten.ne.jp', cart), cart).toBe(true);
    }
  });

  it('does not take look-alike Rakuten domains', () => {
    expect(isPlaceholderEmail('taro@rakuten.ne.jp', 'shopify')).toBe(false);
    expect(isPlaceholderEmail('taro@rakuten.co.jp', 'shopify')).toBe(false);
    expect(isPlaceholderEmail('taro@notfw.rakuten.ne.jp', 'shopify')).toBe(false);
    expect(isPlaceholderEmail('taro@pc.fw.rakuten.ne.jp.example.com', 'shopify')).toBe(false);
  });

  it('takes every address from Rakuten as masked', () => {
    expect(isPlaceholderEmail('xxx@xxx.xxx', 'rakuten')).toBe(true);
    expect(isPlaceholderEmail('taro@gmail.com', 'rakuten')).toBe(true);
  });

  it("follows ecforce's is_auto_generated_email flag", () => {
    expect(isPlaceholderEmail('taro@gmail.com', 'ecforce', { autoGenerated: true })).toBe(true);
    expect(isPlaceholderEmail('taro@gmail.com', 'ecforce', { autoGenerated: false })).toBe(false);
    expect(isPlaceholderEmail('taro@gmail.com', 'ecforce', { autoGenerated: null })).toBe(false);
    expect(isPlaceholderEmail('taro@gmail.com', 'ecforce')).toBe(false);
  });

  it('keeps real addresses in the other carts, whatever the hints', () => {
    for (const cart of CART_KINDS.filter((c) => c !== 'rakuten' && c !== 'ecforce')) {
      expect(isPlaceholderEmail('taro@gmail.com', cart), cart).toBe(false);
      expect(isPlaceholderEmail('taro@gmail.com', cart, { autoGenerated: true }), cart).toBe(false);
    }
  });

  it('is false for what is not an address at all (it cannot link anyway)', () => {
    expect(isPlaceholderEmail('', 'rakuten')).toBe(false);
    expect(isPlaceholderEmail('not an address', 'ecforce', { autoGenerated: true })).toBe(false);
  });
});
