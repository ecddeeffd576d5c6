// One sync's requests to the Rakuten Pay order API: ESA auth, JSON bodies, requests spaced by a
// minimum interval, retries with backoff on 429/5xx/timeouts, errors in a shop's words, and the
// searchOrder / getOrder calls the connector builds on. Assumptions: top of ../rakuten.ts.
import { z } from 'zod';
import { CartError, type ConnectorContext, type SkippedRecord } from '../connector.ts';
import { retryAfterMs } from '../paced.ts';
import {
  errorResponse,
  getOrderRequest,
  getOrderResponse,
  orderModel,
  searchRequest,
  searchResponse,
  type DateType,
  type OrderModel,
} from './wire.ts';

export interface RakutenCredentials {
  serviceSecret: string;
  licenseKey: string;
}

export interface ClientOptions {
  timeoutMs: number;
  maxAttempts: number;
  pageSize: number;
  minIntervalMs: number;
}

const SECOND = 1000;
export const GET_ORDER_BATCH = 100;
const BASE_URL = 'https://api.rms.rakuten.co.jp';

function messagesOf(body: unknown): string {
  const parsed = errorResponse.safeParse(body);
  return parsed.success
    ? parsed.data.MessageModelList.map((m) => `${m.messageCode} ${m.message}`).join('; ')
    : '';
}

/** One sync's requests: spaced by minIntervalMs, each retried on 429/5xx/timeouts. */
export function session(
  ctx: ConnectorContext<RakutenCredentials>,
  { timeoutMs, maxAttempts, pageSize, minIntervalMs }: ClientOptions,
) {
  let last: number | null = null;
  const base = (ctx.baseUrl ?? BASE_URL).replace(/\/+$/, '');
  const { serviceSecret, licenseKey } = ctx.credentials;
  const headers = {
    Authorization: `ESA ${btoa(`${serviceSecret}:${licenseKey}`)}`,
    'Content-Type': 'application/json; charset=utf-8',
    Accept: 'application/json',
  };

  async function pace(): Promise<void> {
    const now = ctx.now().getTime();
    if (last !== null && minIntervalMs > 0) {
      const wait = last + minIntervalMs - now;
      if (wait > 0) await ctx.sleep(wait);
    }
    last = ctx.now().getTime();
  }

  async function post(path: string, body: unknown): Promise<unknown> {
    const url = `${base}/es/2.0/order/${path}/`;
    for (let attempt = 1; ; attempt++) {
      await pace();
      let failure: CartError;
      let wait: number | null = null;
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timer]) : timer;
      try {
        const res = await ctx.fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal,
        });
        let json: unknown = null;
        try {
          json = await res.json();
        } catch (e) {
          if (timer.aborted) throw e;
          if (res.ok)
            throw new CartError(
              'malformed',
              `Rakuten answered ${path} with invalid JSON`,
              undefined,
              {
                cause: e,
              },
            );
        }
        if (res.ok) return json;
        if (res.status === 401)
          throw new CartError(
            'bad_credentials',
            '楽天RMSが認証情報を受け付けません。ライセンスキー (3か月ごとに更新が必要です) とサービスシークレットを確認してください',
            'licenseKey',
          );
        if (res.status === 403)
          throw new CartError(
            'bad_credentials',
            '楽天RMSのWEB APIで受注API (rpay.order.searchOrder / getOrder) の利用が許可されていません。RMSの利用機能編集で有効にしてください',
            'licenseKey',
          );
        if (res.status === 429) {
          failure = new CartError('rate_limited', '楽天RMSのAPI利用制限に達しました');
          wait = retryAfterMs(res.headers.get('retry-after'), ctx.now());
        } else if (res.status >= 500) {
          failure = new CartError('unavailable', `楽天RMSが応答できません (HTTP ${res.status})`);
        } else if (res.status === 404 && messagesOf(json) === '') {
          throw new CartError('not_found', `楽天RMSのAPIが見つかりません (${url})`);
        } else {
          throw new CartError(
            'malformed',
            `Rakuten refused ${path} (HTTP ${res.status}) ${messagesOf(json)}`.trim(),
          );
        }
      } catch (e) {
        if (e instanceof CartError) throw e;
        if (ctx.signal?.aborted) throw e;
        failure = new CartError(
          'unavailable',
          timer.aborted
            ? `楽天RMSが${timeoutMs / 1000}秒以内に応答しませんでした`
            : '楽天RMSに接続できません',
          undefined,
          { cause: e },
        );
      }
      if (attempt >= maxAttempts) throw failure;
      await ctx.sleep(wait ?? Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }

  async function search(
    dateType: DateType,
    start: number,
    end: number,
    page: number,
    size = pageSize,
  ) {
    const doc = searchResponse.safeParse(
      await post('searchOrder', searchRequest(dateType, start, end, page, size)),
    );
    if (!doc.success)
      throw new CartError(
        'malformed',
        `Rakuten searchOrder: unreadable answer (${doc.error.message})`,
      );
    const p = doc.data.PaginationResponseModel;
    return {
      numbers: doc.data.orderNumberList ?? [],
      total: p?.totalRecordsAmount ?? 0,
      pages: p?.totalPages ?? 0,
    };
  }

  /** The order numbers of [start, end] (ms, whole seconds), one window of at most a page each. */
  async function* windows(
    dateType: DateType,
    start: number,
    end: number,
  ): AsyncGenerator<string[]> {
    const first = await search(dateType, start, end, 1);
    if (first.total > pageSize && end > start) {
      const seconds = (end - start) / SECOND + 1;
      const parts = Math.min(seconds, Math.ceil((first.total * 1.25) / pageSize));
      const step = Math.ceil(seconds / parts) * SECOND;
      for (let s = start; s <= end; s += step)
        yield* windows(dateType, s, Math.min(s + step - SECOND, end));
      return;
    }
    const numbers = [...first.numbers];
    for (let page = 2; page <= first.pages; page++)
      numbers.push(...(await search(dateType, start, end, page)).numbers);
    if (numbers.length > 0) yield [...new Set(numbers)];
  }

  /** getOrder, 100 numbers at a time; an order that cannot be read is skipped, not fatal. */
  async function details(
    numbers: string[],
  ): Promise<{ models: OrderModel[]; skipped: SkippedRecord[] }> {
    const models: OrderModel[] = [];
    const skipped: SkippedRecord[] = [];
    for (let i = 0; i < numbers.length; i += GET_ORDER_BATCH) {
      const asked = numbers.slice(i, i + GET_ORDER_BATCH);
      const doc = getOrderResponse.safeParse(await post('getOrder', getOrderRequest(asked)));
      if (!doc.success)
        throw new CartError(
          'malformed',
          `Rakuten getOrder: unreadable answer (${doc.error.message})`,
        );
      const got = new Set<string>();
      for (const raw of doc.data.OrderModelList ?? []) {
        const parsed = orderModel.safeParse(raw);
        const number = z.object({ orderNumber: z.string() }).safeParse(raw);
        if (number.success) got.add(number.data.orderNumber);
        if (parsed.success) models.push(parsed.data);
        else
          skipped.push({
            externalId: number.success ? number.data.orderNumber : null,
            reason: `unreadable order: ${parsed.error.issues
              .map((x) => `${x.path.join('.')}: ${x.message}`)
              .join('; ')}`,
          });
      }
      for (const n of asked) {
        if (got.has(n)) continue;
        const said = (doc.data.MessageModelList ?? []).filter((m) => m.orderNumber === n);
        skipped.push({
          externalId: n,
          reason: said.length
            ? said.map((m) => `${m.messageCode} ${m.message}`).join('; ')
            : 'getOrder did not return the order',
        });
      }
    }
    return { models, skipped };
  }

  return { search, windows, details };
}
