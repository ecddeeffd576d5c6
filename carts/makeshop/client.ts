// One sync's requests to makeshop: the order API (one GET per period, its 認証コード in the URL)
// and the member API (an access URL issued with its own 認証コード, valid 5 minutes, then used).
// Every request, of either API, goes through the shop's pacer: makeshop counts one request per
// second across all its APIs and blocks shops that exceed it. Assumptions: top of ../makeshop.ts.
import type { z } from 'zod';
import { CartError, type ConnectorContext, type SkippedRecord } from '../connector.ts';
import { statusVerdict, withRetries, type Pacer, type Verdict } from '../paced.ts';
import type { WindowAnswer } from '../windows.ts';
import {
  accessDocument,
  errorDocument,
  member,
  membersDocument,
  order,
  ordersDocument,
  queryTime,
  readXml,
  type MakeshopMember,
  type MakeshopOrder,
} from './wire.ts';

export interface MakeshopCredentials {
  shopId: string;
  /** 注文API の認証コード (設定 > API > 注文). */
  orderToken: string;
  /** 会員API の認証コード (会員データ連携設定). */
  memberToken: string;
}

export interface ClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** Records per answer: makeshop outputs at most 100 orders per call. */
  pageSize: number;
}

const BASE_URL = 'https://www.makeshop.jp';
const CART = 'makeshop';
/** Access URLs last 5 minutes; one older than this is issued again rather than risked. */
export const ACCESS_URL_MAX_AGE_MS = 4 * 60_000;

type Ctx = ConnectorContext<MakeshopCredentials>;

function messageOf(body: string): string {
  try {
    const e = errorDocument.safeParse(readXml(body));
    return e.success ? [e.data.error.code, e.data.error.message].filter(Boolean).join(' ') : '';
  } catch {
    return '';
  }
}

/** Records read one by one, so one bad record is skipped and reported, not fatal. */
function readEach<T>(
  raw: unknown[],
  schema: z.ZodType<T>,
  idOf: (raw: unknown) => string | null,
): { records: T[]; skipped: SkippedRecord[] } {
  const records: T[] = [];
  const skipped: SkippedRecord[] = [];
  for (const r of raw) {
    const parsed = schema.safeParse(r);
    if (parsed.success) records.push(parsed.data);
    else
      skipped.push({
        externalId: idOf(r),
        reason: `unreadable record: ${parsed.error.issues
          .map((x) => `${x.path.map(String).join('.')}: ${x.message}`)
          .join('; ')}`,
      });
  }
  return { records, skipped };
}

const field = (name: string) => (raw: unknown) => {
  const v = (raw as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' && v !== '' ? v : null;
};

export function session(ctx: Ctx, pacer: Pacer, options: ClientOptions) {
  const base = (ctx.baseUrl ?? BASE_URL).replace(/\/+$/, '');
  const { shopId, orderToken, memberToken } = ctx.credentials;
  const retry = { timeoutMs: options.timeoutMs, maxAttempts: options.maxAttempts, cart: CART };
  let access: { url: string; issuedAt: number } | null = null;

  const get = (url: string, signal: AbortSignal) =>
    pacer.run(shopId, ctx, () =>
      ctx.fetch(url, { headers: { Accept: 'application/xml' }, signal }),
    );

  function xmlVerdict<T>(
    res: Response,
    body: string,
    auth: () => CartError,
    read: (doc: unknown) => T | null,
  ): Verdict<T> {
    const failed = statusVerdict(res, CART, auth, ctx.now());
    if (failed) return failed;
    if (!res.ok)
      return {
        ok: false,
        retry: false,
        error:
          res.status === 404
            ? new CartError('not_found', `makeshopのAPIが見つかりません (${base})`)
            : new CartError(
                'malformed',
                `makeshop refused (HTTP ${res.status}) ${messageOf(body)}`,
              ),
      };
    let value: T | null;
    try {
      value = read(readXml(body));
    } catch {
      value = null;
    }
    if (value === null)
      return {
        ok: false,
        retry: false,
        error: new CartError(
          'malformed',
          'makeshop answered something that is not the expected XML',
        ),
      };
    return { ok: true, value };
  }

  const orderAuth = () =>
    new CartError(
      'bad_credentials',
      'makeshopが注文APIの認証コードを受け付けません。ショップIDと、設定 > API > 注文 の認証コード (発行後に保存が必要です) を確認してください',
      'orderToken',
    );
  const memberAuth = () =>
    new CartError(
      'bad_credentials',
      'makeshopが会員APIの認証コードを受け付けません。会員データ連携設定で発行・保存した認証コードと、会員データ連携機能の利用制限の解除を確認してください',
      'memberToken',
    );

  /** Orders of [start, end] by order datetime (cancelled ones included). */
  async function orders(start: number, end: number): Promise<WindowAnswer<MakeshopOrder>> {
    const q = new URLSearchParams({
      cmd: 'get',
      shopid: shopId,
      token: orderToken,
      start: queryTime(start),
      end: queryTime(end),
      canceled: '1',
    });
    const raw = await withRetries(
      ctx,
      retry,
      (signal) => get(`${base}/api/orderinfo/index.html?${q}`, signal),
      (res, body) =>
        xmlVerdict(res, body, orderAuth, (doc) => {
          const d = ordersDocument.safeParse(doc);
          return d.success ? (d.data.orders === '' ? [] : (d.data.orders.order ?? [])) : null;
        }),
    );
    const { records, skipped } = readEach(raw, order, field('ordernum'));
    return { records, skipped, full: raw.length >= options.pageSize };
  }

  /** A fresh access URL for the member API (each issue is a request like any other). */
  async function accessUrl(): Promise<string> {
    const now = ctx.now().getTime();
    if (access && now - access.issuedAt < ACCESS_URL_MAX_AGE_MS) return access.url;
    const body = new URLSearchParams({ shop_id: shopId, token: memberToken, process: 'get' });
    const url = await withRetries(
      ctx,
      retry,
      (signal) =>
        pacer.run(shopId, ctx, () =>
          ctx.fetch(`${base}/api/member/`, { method: 'POST', body, signal }),
        ),
      (res, text) =>
        xmlVerdict(res, text, memberAuth, (doc) => {
          const d = accessDocument.safeParse(doc);
          return d.success ? d.data.response.url : null;
        }),
    );
    access = { url, issuedAt: now };
    return url;
  }

  /** One page of the members updated in [start, end]. An expired access URL is issued again once. */
  async function memberPage(start: number, end: number, page: number): Promise<unknown[]> {
    const q = new URLSearchParams({
      start_date: queryTime(start),
      end_date: queryTime(end),
      limit: String(options.pageSize),
      page: String(page),
    });
    const expired = 'makeshopのアクセスURLの有効期限が切れています';
    for (let reissued = false; ; reissued = true) {
      const url = await accessUrl();
      try {
        return await withRetries(
          ctx,
          retry,
          (signal) =>
            pacer.run(shopId, ctx, () => ctx.fetch(url, { method: 'POST', body: q, signal })),
          (res, body): Verdict<unknown[]> =>
            res.status === 403 || res.status === 410
              ? { ok: false, retry: false, error: new CartError('revoked', expired) }
              : xmlVerdict(res, body, memberAuth, (doc) => {
                  const d = membersDocument.safeParse(doc);
                  if (!d.success) return null;
                  return d.data.members === '' ? [] : (d.data.members.member ?? []);
                }),
        );
      } catch (e) {
        // Our clock and makeshop's may disagree: an expired URL is issued again, once.
        if (reissued || !(e instanceof CartError) || e.message !== expired) throw e;
        access = null;
      }
    }
  }

  /**
   * Members updated in [start, end]. A full answer for a longer window says "split me"; a single
   * second (a bulk CSV update gives hundreds of members one update time) is read page by page.
   */
  async function members(start: number, end: number): Promise<WindowAnswer<MakeshopMember>> {
    const raw: unknown[] = [];
    for (let page = 1; ; page++) {
      const got = await memberPage(start, end, page);
      raw.push(...got);
      if (got.length < options.pageSize) break;
      if (start !== end) return { records: [], skipped: [], full: true };
    }
    const { records, skipped } = readEach(raw, member, field('member_id'));
    return { records, skipped, full: false };
  }

  return { orders, members, accessUrl };
}
