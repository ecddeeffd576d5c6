// Names, phones, e-mail addresses and products as Japanese shops hold them.
import type { PhoneFormat, ShopPhone, ShopProduct } from './types.ts';
import { digits, int, pick, type Rng } from './random.ts';

export const FAMILY: ReadonlyArray<[string, string]> = [
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'],
  ['松本', 'マツモト'],
  ['井上', 'イノウエ'],
  ['木村', 'キムラ'],
];
export const GIVEN: ReadonlyArray<[string, string, string]> = [
  ['花子', 'ハナコ', 'hanako'],
  ['陽子', 'ヨウコ', 'yoko'],
  ['美咲', 'ミサキ', 'misaki'],
  ['恵', 'メグミ', 'megumi'],
  ['由美', 'ユミ', 'yumi'],
  ['さくら', 'サクラ', 'sakura'],
  ['裕子', 'ユウコ', 'yuko'],
  ['真由美', 'マユミ', 'mayumi'],
  ['太郎', 'タロウ', 'taro'],
  ['健一', 'ケンイチ', 'kenichi'],
  ['翔太', 'ショウタ', 'shota'],
  ['大輔', 'ダイスケ', 'daisuke'],
];
export const ROMAJI: Readonly<Record<string, string>> = {
  佐藤: 'sato',
  鈴木: 'suzuki',
  高橋: 'takahashi',
  田中: 'tanaka',
  伊藤: 'ito',
  渡辺: 'watanabe',
  山本: 'yamamoto',
  中村: 'nakamura',
  小林: 'kobayashi',
  加藤: 'kato',
  吉田: 'yoshida',
  山田: 'yamada',
  佐々木: 'sasaki',
  松本: 'matsumoto',
  井上: 'inoue',
  木村: 'kimura',
};
const CARRIER_MAIL = ['docomo.ne.jp', 'ezweb.ne.jp', 'au.com', 'i.softbank.jp', 'softbank.ne.jp'];
const WEB_MAIL = ['gmail.com', 'yahoo.co.jp', 'icloud.com', 'outlook.jp', 'hotmail.co.jp'];
/** Area code, then the digits of the local exchange: together always 6 digits, then 4. */
const LANDLINE_AREAS = ['03', '06', '045', '052', '092', '0476'];

export const PRODUCTS: readonly ShopProduct[] = [
  { code: 'SK-001', name: '薬用美白美容液 30mL', price: 4980, courseCode: null },
  { code: 'SK-002', name: 'オールインワンゲル 100g', price: 3300, courseCode: null },
  { code: 'SK-003', name: '炭酸洗顔フォーム', price: 1980, courseCode: null },
  { code: 'HL-010', name: '青汁 30包', price: 3240, courseCode: null },
  { code: 'HL-011', name: '乳酸菌サプリ 60粒', price: 2700, courseCode: null },
  { code: 'HL-012', name: 'プロテインバー 12本', price: 2160, courseCode: null },
  { code: 'FD-100', name: '国産はちみつ 500g', price: 2480, courseCode: null },
  { code: 'FD-101', name: 'ドリップコーヒー 20袋', price: 1620, courseCode: null },
  {
    code: 'SUB-SK-001',
    name: '【定期】薬用美白美容液 30mL',
    price: 3980,
    courseCode: 'C-SK-MONTHLY',
  },
  { code: 'SUB-HL-010', name: '【定期】青汁 30包', price: 2590, courseCode: 'C-HL-MONTHLY' },
  { code: 'SUB-HL-011', name: '【定期】乳酸菌サプリ 60粒', price: 2160, courseCode: 'C-HL-2MONTH' },
];
export const ONE_OFF = PRODUCTS.filter((p) => p.courseCode === null);
export const COURSES = PRODUCTS.filter((p) => p.courseCode !== null);

function toFullWidth(s: string): string {
  return s
    .replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
    .replace(/-/g, '－');
}

export function makeNumber(r: Rng): {
  digits: string;
  parts: [string, string, string];
  landline: boolean;
} {
  if (r() < 0.1) {
    const area = pick(r, LANDLINE_AREAS);
    const exchange = String(int(r, 2, 9)) + digits(r, 5 - area.length);
    const line = digits(r, 4);
    return { digits: area + exchange + line, parts: [area, exchange, line], landline: true };
  }
  const parts: [string, string, string] = [
    pick(r, ['090', '080', '070']),
    String(int(r, 1, 9)) + digits(r, 3),
    digits(r, 4),
  ];
  return { digits: parts.join(''), parts, landline: false };
}

export function formatPhone(
  r: Rng,
  n: { digits: string; parts: [string, string, string]; landline: boolean },
): ShopPhone {
  const x = r();
  const hyphen = n.parts.join('-');
  const format: PhoneFormat =
    x < 0.35
      ? 'hyphen'
      : x < 0.6
        ? 'plain'
        : x < 0.75
          ? 'split'
          : x < 0.8
            ? 'e164'
            : x < 0.9
              ? 'fullwidth'
              : 'spaced';
  let raw: string;
  switch (format) {
    case 'hyphen':
    case 'split':
      raw = hyphen;
      break;
    case 'plain':
      raw = n.digits;
      break;
    case 'e164':
      raw = r() < 0.5 ? `+81${n.digits.slice(1)}` : `+81 ${hyphen.slice(1)}`;
      break;
    case 'fullwidth':
      raw = toFullWidth(hyphen);
      break;
    case 'spaced':
      raw = n.parts.join(' ');
      break;
    default: {
      const never: never = format;
      throw new Error(`unknown phone format ${String(never)}`);
    }
  }
  // Pasted numbers keep stray blanks; three separate fields cannot hold them.
  if (format !== 'split' && r() < 0.04) raw = `${raw} `;
  return { ...n, raw, format };
}

export function makeEmail(
  r: Rng,
  family: string,
  given: string,
  number: string,
): { email: string | null; placeholder: boolean } {
  const x = r();
  if (x < 0.05) return { email: null, placeholder: false };
  // What ecforce stores when the shopper gave none [UNVERIFIED shape]: flagged, never matched.
  if (x < 0.09) return { email: `${number}@auto-generated.ec-force.invalid`, placeholder: true };
  const local = pick(r, [
    `${given}.${family}`,
    `${family}${given}`,
    `${given}${int(r, 1, 99)}`,
    `${given[0]}${family}${int(r, 1960, 2005)}`,
  ]);
  const carrier = r() < 0.15;
  // Carrier addresses from before 2009 may break RFC 5322 (consecutive dots, dot before @).
  const legacy = carrier && r() < 0.15 ? `${local}..${int(r, 1, 9)}.` : local;
  let email = `${legacy}@${pick(r, carrier ? CARRIER_MAIL : WEB_MAIL)}`;
  const y = r();
  if (y < 0.05) email = email.toUpperCase();
  else if (y < 0.08) email = ` ${email.charAt(0).toUpperCase()}${email.slice(1)} `;
  return { email, placeholder: false };
}
