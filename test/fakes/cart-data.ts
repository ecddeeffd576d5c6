// Deterministic Japanese shop data for the cart fakes: the same seed always gives the same shop,
// and customers and orders stream one at a time so benchmarks can push millions without holding
// them. The output is cart-neutral; each fake maps it to its own wire format.

export type PhoneFormat = 'hyphen' | 'plain' | 'split' | 'e164' | 'fullwidth' | 'spaced';

export interface ShopPhone {
  /** National digits, e.g. 09012345678: what every format below means. */
  digits: string;
  /** As the shopper typed it into a single field (for `split`, the parts joined by '-'). */
  raw: string;
  /** The same number in the three fields carts such as ecforce and Rakuten hold. */
  parts: [string, string, string];
  format: PhoneFormat;
  landline: boolean;
}

export interface ShopCustomer {
  /** 1-based, dense: carts use it (or map it) as their own id. */
  id: number;
  /** A 10-hex customer number, like ecforce's. */
  number: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  /** Raw: some upper-case, some space-padded, some on carrier domains; null when missing. */
  email: string | null;
  /** The cart made the address up because the shopper gave none (ecforce). */
  emailPlaceholder: boolean;
  phone: ShopPhone | null;
  /** Set when this record shares its phone with an earlier customer (a duplicate record). */
  samePhoneAs: number | null;
  /** YYYY-MM-DD */
  birthday: string | null;
  /** 'U' + 32 hex, when the cart runs its own LINE linkage. */
  lineUserId: string | null;
  orderCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShopProduct {
  code: string;
  name: string;
  price: number;
  /** Subscription course code when the product is sold as 定期. */
  courseCode: string | null;
}

export interface ShopOrderItem {
  productCode: string;
  courseCode: string | null;
  name: string;
  quantity: number;
  unitPrice: number;
}

export type ShopCarrier = 'yamato' | 'sagawa' | 'japanpost';
export type ShopOrderState = 'pending' | 'shipped' | 'cancelled';

export interface ShopOrder {
  id: number;
  number: string;
  customerId: number;
  orderedAt: Date;
  state: ShopOrderState;
  items: ShopOrderItem[];
  total: number;
  shippedAt: Date | null;
  /** お届け希望日, YYYY-MM-DD */
  deliveryDate: string | null;
  carrier: ShopCarrier | null;
  trackingNumber: string | null;
  subscriptionId: number | null;
  subscriptionSequence: number | null;
  updatedAt: Date;
}

export type ShopSubscriptionState = 'active' | 'paused' | 'cancelled';

export interface ShopSubscription {
  /** Equals the customer id: at most one subscription per customer keeps ids stream-stable. */
  id: number;
  number: string;
  customerId: number;
  courseCode: string;
  productCode: string;
  state: ShopSubscriptionState;
  deliveries: number;
  nextDeliveryAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShopData {
  customers: ShopCustomer[];
  orders: ShopOrder[];
  subscriptions: ShopSubscription[];
}

export interface GenerateOptions {
  /** The shop's "today"; every date lies before it. Default 2026-11-01T00:00:00Z. */
  now?: Date;
  /** Share of customers whose record reuses an earlier customer's phone. Default 0.08. */
  duplicatePhoneShare?: number;
  /** Share of customers who never ordered. Default 0.15. */
  noOrderShare?: number;
  /**
   * Share of customers last updated by one bulk CSV import, so they share one updated_at to the
   * second: the case that breaks naive updated-at cursors. Default 0.3.
   */
  bulkUpdateShare?: number;
}

const DEFAULT_NOW = new Date('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

/** mulberry32: tiny, fast and good enough for test data. */
function rngFrom(...keys: number[]): () => number {
  let a = 0x9e3779b9;
  for (const k of keys) a = Math.imul(a ^ (k >>> 0), 0x85ebca6b) ^ (a >>> 13);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rng = () => number;
const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rng, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join('');
const hex = (r: Rng, n: number) =>
  Array.from({ length: n }, () => int(r, 0, 15).toString(16)).join('');
/** Whole seconds: carts print datetimes to the second. */
const sec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

const FAMILY: ReadonlyArray<[string, string]> = [
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
const GIVEN: ReadonlyArray<[string, string, string]> = [
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
const ROMAJI: Readonly<Record<string, string>> = {
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
const ONE_OFF = PRODUCTS.filter((p) => p.courseCode === null);
const COURSES = PRODUCTS.filter((p) => p.courseCode !== null);

function toFullWidth(s: string): string {
  return s
    .replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
    .replace(/-/g, '－');
}

function makeNumber(r: Rng): {
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

function formatPhone(
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

function makeEmail(
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

/**
 * Customers 1..count, lazily. Each record depends only on (seed, id) and a small window of
 * earlier phones, so memory stays flat however many are drawn.
 */
export function* generateCustomers(
  seed: number,
  count: number,
  options: GenerateOptions = {},
): Generator<ShopCustomer> {
  const now = (options.now ?? DEFAULT_NOW).getTime();
  const dupShare = options.duplicatePhoneShare ?? 0.08;
  const noOrderShare = options.noOrderShare ?? 0.15;
  const bulkShare = options.bulkUpdateShare ?? 0.3;
  const bulkAt = sec(now - 200 * DAY + 3_723_000);
  const recent: Array<{ id: number; n: ReturnType<typeof makeNumber> }> = [];
  for (let id = 1; id <= count; id++) {
    const r = rngFrom(seed, id, 1);
    const [familyName, familyKana] = pick(r, FAMILY);
    const [givenName, givenKana, givenRomaji] = pick(r, GIVEN);
    const number = hex(r, 10);
    const { email, placeholder } = makeEmail(r, ROMAJI[familyName] ?? 'user', givenRomaji, number);
    let samePhoneAs: number | null = null;
    let phone: ShopPhone | null = null;
    if (r() >= 0.05) {
      const earlier = recent.length > 0 && r() < dupShare ? pick(r, recent) : undefined;
      const n = earlier?.n ?? makeNumber(r);
      samePhoneAs = earlier?.id ?? null;
      phone = formatPhone(r, n);
      if (!earlier) {
        recent.push({ id, n });
        if (recent.length > 64) recent.shift();
      }
    }
    const birthday =
      r() < 0.7 ? ymd(new Date(Date.UTC(int(r, 1950, 2005), int(r, 0, 11), int(r, 1, 28)))) : null;
    const lineUserId = r() < 0.2 ? `U${hex(r, 32)}` : null;
    const orderCount = r() < noOrderShare ? 0 : pick(r, [1, 1, 1, 2, 2, 3, 4, 6]);
    const createdAt = sec(now - int(r, 30, 3 * 365) * DAY - int(r, 0, DAY - 1));
    const updatedAt =
      r() < bulkShare && createdAt < bulkAt
        ? bulkAt
        : sec(createdAt.getTime() + r() * (now - createdAt.getTime()));
    yield {
      id,
      number,
      familyName,
      givenName,
      familyKana,
      givenKana,
      email,
      emailPlaceholder: placeholder,
      phone,
      samePhoneAs,
      birthday,
      lineUserId,
      orderCount,
      createdAt,
      updatedAt,
    };
  }
}

/** The customer's subscription, if any: a pure function of (seed, customer), shared by orders. */
export function subscriptionOf(
  seed: number,
  c: ShopCustomer,
  options: GenerateOptions = {},
): ShopSubscription | null {
  if (c.orderCount === 0) return null;
  const r = rngFrom(seed, c.id, 2);
  if (r() >= 0.3) return null;
  const course = pick(r, COURSES);
  const x = r();
  const state: ShopSubscriptionState = x < 0.6 ? 'active' : x < 0.8 ? 'paused' : 'cancelled';
  const now = (options.now ?? DEFAULT_NOW).getTime();
  return {
    id: c.id,
    number: hex(r, 10),
    customerId: c.id,
    courseCode: course.courseCode!,
    productCode: course.code,
    state,
    deliveries: c.orderCount,
    nextDeliveryAt: state === 'active' ? sec(now + int(r, 1, 30) * DAY) : null,
    createdAt: sec(c.createdAt.getTime() + DAY),
    updatedAt: sec(now - int(r, 1, 20) * DAY),
  };
}

export function* generateSubscriptions(
  seed: number,
  customers: Iterable<ShopCustomer>,
  options: GenerateOptions = {},
): Generator<ShopSubscription> {
  for (const c of customers) {
    const s = subscriptionOf(seed, c, options);
    if (s) yield s;
  }
}

/** Orders of the given customers, in customer order; ids are dense from `firstId`. */
export function* generateOrders(
  seed: number,
  customers: Iterable<ShopCustomer>,
  options: GenerateOptions & { firstId?: number } = {},
): Generator<ShopOrder> {
  const now = (options.now ?? DEFAULT_NOW).getTime();
  let id = options.firstId ?? 1;
  for (const c of customers) {
    const r = rngFrom(seed, c.id, 3);
    const sub = subscriptionOf(seed, c, options);
    const course = sub ? PRODUCTS.find((p) => p.code === sub.productCode) : undefined;
    const span = Math.max(now - DAY - c.createdAt.getTime(), DAY);
    for (let k = 0; k < c.orderCount; k++) {
      const orderedAt = sec(c.createdAt.getTime() + ((k + r()) / c.orderCount) * span);
      const items: ShopOrderItem[] = [];
      if (course)
        items.push({
          productCode: course.code,
          courseCode: course.courseCode,
          name: course.name,
          quantity: 1,
          unitPrice: course.price,
        });
      const extra = course ? int(r, 0, 2) : int(r, 1, 4);
      for (let i = 0; i < extra; i++) {
        const p = pick(r, ONE_OFF);
        if (items.some((it) => it.productCode === p.code)) continue;
        items.push({
          productCode: p.code,
          courseCode: null,
          name: p.name,
          quantity: int(r, 1, 3),
          unitPrice: p.price,
        });
      }
      const total =
        items.reduce((sum, it) => sum + it.quantity * it.unitPrice, 0) + (r() < 0.5 ? 0 : 600);
      const x = r();
      const state: ShopOrderState =
        x < 0.05
          ? 'cancelled'
          : orderedAt.getTime() > now - 3 * DAY && x < 0.5
            ? 'pending'
            : 'shipped';
      const shippedAt = state === 'shipped' ? sec(orderedAt.getTime() + int(r, 1, 3) * DAY) : null;
      const carrier = shippedAt
        ? pick(r, ['yamato', 'yamato', 'sagawa', 'japanpost'] as const)
        : null;
      const deliveryDate =
        r() < 0.4 ? ymd(new Date(orderedAt.getTime() + int(r, 3, 10) * DAY)) : null;
      yield {
        id,
        number: String(100_000 + id),
        customerId: c.id,
        orderedAt,
        state,
        items,
        total,
        shippedAt,
        deliveryDate,
        carrier,
        trackingNumber: carrier ? digits(r, 12) : null,
        subscriptionId: sub ? sub.id : null,
        subscriptionSequence: sub ? k + 1 : null,
        updatedAt: sec(Math.min((shippedAt ?? orderedAt).getTime() + int(r, 0, 3600) * 1000, now)),
      };
      id++;
    }
  }
}

/** A whole shop in memory, for tests with hundreds or thousands of records. */
export function generateShop(seed: number, count: number, options: GenerateOptions = {}): ShopData {
  const customers = [...generateCustomers(seed, count, options)];
  return {
    customers,
    orders: [...generateOrders(seed, customers, options)],
    subscriptions: [...generateSubscriptions(seed, customers, options)],
  };
}
