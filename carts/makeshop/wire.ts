// makeshop's wire format: the XML of its order API (注文API) and member API (会員API), read with
// fast-xml-parser into plain objects and checked with zod, and its times. Every name here that the
// research could not confirm is listed at the top of ../makeshop.ts.
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

const JST = 9 * 3_600_000;

/** epoch ms → `yyyymmddhhmmss` in JST: the order API's `start`/`end`. */
export function queryTime(ms: number): string {
  return new Date(ms + JST).toISOString().slice(0, 19).replace(/\D/g, '');
}

const TIME = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
/** `2026/10/01 12:34:56` (or a date alone), JST. */
export const time = z.string().trim().regex(TIME, 'not a makeshop time (YYYY/MM/DD hh:mm:ss)');

export function parseTime(s: string): number {
  const m = TIME.exec(s.trim())!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - JST;
}

/** `2026/10/05` → `2026-10-05`. */
export const isoDate = (s: string) => s.trim().slice(0, 10).replaceAll('/', '-');

// Tags that may repeat: a list even when there is one. Values stay text (phone numbers keep
// their leading zero; codes stay codes); numbers are read where a field is a number.
const LISTS = new Set(['order', 'commodity', 'delivery', 'member']);
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => LISTS.has(name),
});

/** XML text → object; throws on text that is not XML at all. */
export function readXml(text: string): unknown {
  return parser.parse(text, true);
}

const text = z.string();
const optional = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? null : s));
const yen = z
  .string()
  .trim()
  .regex(/^-?\d+$/, 'not an amount')
  .transform(Number);

const commodity = z.object({
  brandcode: optional,
  orgcode: optional,
  name: text,
  price: yen,
  amount: yen,
});

const delivery = z.object({
  deliverydate: optional,
  /** 1 配送指示済, 2 配送準備中, 3 配送完了, 9 返送 (the order API's `deliver` command). */
  status: optional,
  shipped_date: time.optional(),
  carrier: optional,
  deliverynum: optional,
});

export const order = z.object({
  ordernum: text.min(1),
  date: time,
  /** 0 キャンセル, 1 通常, 99 仮注文. */
  status: text,
  buyer: z.object({ memberid: optional, tel: optional, email: optional }),
  deliveries: z.object({ delivery: z.array(delivery) }).optional(),
  orderdetail: z.object({
    sumprice: yen,
    commodities: z.object({ commodity: z.array(commodity) }),
  }),
});
export type MakeshopOrder = z.infer<typeof order>;

export const member = z.object({
  member_id: text.min(1),
  name1: optional,
  name2: optional,
  kana1: optional,
  kana2: optional,
  email: optional,
  tel: optional,
  birthday: optional,
  line_id: optional,
  point: optional,
  regdate: time.optional(),
  update_date: time,
});
export type MakeshopMember = z.infer<typeof member>;

/** `<orders><order>…</order></orders>` (no `<order>` when nothing matched). */
export const ordersDocument = z.object({
  orders: z.union([z.object({ order: z.array(z.unknown()).optional() }), z.literal('')]),
});
export const membersDocument = z.object({
  members: z.union([z.object({ member: z.array(z.unknown()).optional() }), z.literal('')]),
});
/** The member API's answer to an access URL request. */
export const accessDocument = z.object({ response: z.object({ url: z.string().url() }) });
/** An error answer: `<error><code/><message/></error>`. */
export const errorDocument = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});
