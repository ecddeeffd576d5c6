// The seeded shop in makeshop's XML (the shapes carts/makeshop.ts assumes): orders as the order
// API outputs them, members as the member API does.
import type { ShopCustomer, ShopOrder } from '../cart-data.ts';

const JST = 9 * 3_600_000;
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const tag = (name: string, value: string | number | null | undefined) =>
  `<${name}>${value === null || value === undefined ? '' : esc(String(value))}</${name}>`;

/** `2026/10/01 12:34:56`, JST. */
export const makeshopTime = (d: Date) =>
  new Date(d.getTime() + JST).toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/');
/** `yyyymmddhhmmss` (JST) → epoch ms, or null. */
export function parseQueryTime(s: string | undefined): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - JST : null;
}

const CARRIERS = { yamato: 'ヤマト運輸', sagawa: '佐川急便', japanpost: '日本郵便' } as const;

export const memberIdOf = (c: ShopCustomer) => `m${String(c.id).padStart(6, '0')}`;
export const orderNumberOf = (o: ShopOrder) => `KZ${String(o.id).padStart(8, '0')}`;

export interface MemberRecord {
  id: string;
  updatedAt: number;
  xml: string;
}
export interface OrderRecord {
  number: string;
  orderedAt: number;
  xml: string;
}

export function memberXml(c: ShopCustomer, updatedAt: Date): MemberRecord {
  const xml = [
    '<member>',
    tag('member_id', memberIdOf(c)),
    tag('name1', c.familyName),
    tag('name2', c.givenName),
    tag('kana1', c.familyKana),
    tag('kana2', c.givenKana),
    tag('email', c.email),
    tag('tel', c.phone?.raw),
    tag('birthday', c.birthday?.replaceAll('-', '/')),
    tag('line_id', c.lineUserId),
    tag('point', c.id % 7 === 0 ? 120 : 0),
    tag('regdate', makeshopTime(c.createdAt)),
    tag('update_date', makeshopTime(updatedAt)),
    '</member>',
  ].join('');
  return { id: memberIdOf(c), updatedAt: updatedAt.getTime(), xml };
}

export function orderXml(o: ShopOrder, c: ShopCustomer): OrderRecord {
  const shipped = o.shippedAt
    ? tag('status', 3) +
      tag('shipped_date', makeshopTime(o.shippedAt)) +
      tag('carrier', o.carrier ? CARRIERS[o.carrier] : null) +
      tag('deliverynum', o.trackingNumber)
    : tag('status', 1);
  const xml = [
    '<order>',
    tag('ordernum', orderNumberOf(o)),
    tag('date', makeshopTime(o.orderedAt)),
    tag('status', o.state === 'cancelled' ? 0 : 1),
    '<buyer>',
    tag('memberid', memberIdOf(c)),
    tag('name', `${c.familyName} ${c.givenName}`),
    tag('tel', c.phone?.raw),
    tag('email', c.email),
    '</buyer>',
    '<deliveries><delivery>',
    tag('deliveryid', 0),
    tag('name', `${c.familyName} ${c.givenName}`),
    tag('deliverydate', o.deliveryDate?.replaceAll('-', '/')),
    shipped,
    '</delivery></deliveries>',
    '<orderdetail>',
    tag('sumprice', o.total),
    '<commodities>',
    ...o.items.map(
      (i, k) =>
        `<commodity>${tag('brandcode', `00000${o.id}${k}`)}${tag('orgcode', i.productCode)}${tag('name', i.name)}${tag('price', i.unitPrice)}${tag('amount', i.quantity)}</commodity>`,
    ),
    '</commodities>',
    '</orderdetail>',
    '</order>',
  ].join('');
  return { number: orderNumberOf(o), orderedAt: o.orderedAt.getTime(), xml };
}

export const xmlDocument = (root: string, records: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${records.join('')}</${root}>`;
export const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<error>${tag('code', code)}${tag('message', message)}</error>`;
