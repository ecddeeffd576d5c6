// The request rules of searchOrder and getOrder (research/cart-apis.md §2.2). A request that
// breaks one gets Rakuten's error shape (400 + MessageModelList) and is recorded as a violation:
// a connector the fake has to refuse is wrong, even if it copes with the refusal.

const DAY = 86_400_000;
export const WINDOW_MAX_MS = 63 * DAY;
export const HISTORY_MS = 730 * DAY;
export const RESULTS_MAX = 15_000;
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+0900$/;

export function parseRakutenTime(s: unknown): number | null {
  const m = typeof s === 'string' ? TIME.exec(s) : null;
  if (!m) return null;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 9 * 3_600_000;
}

export interface Refusal {
  code: string;
  message: string;
}

export interface SearchQuery {
  dateType: number;
  start: number;
  end: number;
  amount: number;
  page: number;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function readSearch(body: unknown, now: number): SearchQuery | Refusal {
  const b = obj(body);
  const refuse = (n: number, message: string): Refusal => ({
    code: `ORDER_EXT_API_SEARCH_ORDER_ERROR_${String(n).padStart(3, '0')}`,
    message,
  });
  if (![1, 2, 3, 4, 5, 6].includes(b.dateType as number))
    return refuse(9, 'dateTypeの項目を指定して下さい。');
  const start = parseRakutenTime(b.startDatetime);
  const end = parseRakutenTime(b.endDatetime);
  if (start === null) return refuse(10, 'startDatetimeの形式が不正です。');
  if (end === null) return refuse(11, 'endDatetimeの形式が不正です。');
  if (start < now - HISTORY_MS) return refuse(12, 'startDatetimeは過去730日以内を指定して下さい。');
  if (end < start) return refuse(13, 'endDatetimeはstartDatetime以降を指定して下さい。');
  if (end - start > WINDOW_MAX_MS)
    return refuse(14, 'endDatetimeはstartDatetimeから63日以内を指定して下さい。');
  const p = obj(b.PaginationRequestModel);
  const amount = p.requestRecordsAmount ?? 30;
  const page = p.requestPage ?? 1;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 1000)
    return refuse(20, 'requestRecordsAmountは1から1000の間で指定して下さい。');
  if (typeof page !== 'number' || !Number.isInteger(page) || page < 1)
    return refuse(21, 'requestPageは1以上を指定して下さい。');
  if ((page - 1) * amount >= RESULTS_MAX)
    return refuse(22, '15,000件を超える検索結果は取得できません。');
  for (const s of Array.isArray(p.SortModelList) ? p.SortModelList : []) {
    const m = obj(s);
    if (m.sortColumn !== 1 || ![1, 2].includes(m.sortDirection as number))
      return refuse(23, 'SortModelListの指定が不正です。');
  }
  return { dateType: b.dateType as number, start, end, amount, page };
}

export function readGetOrder(body: unknown): { numbers: string[]; version: number } | Refusal {
  const b = obj(body);
  const refuse = (n: number, message: string): Refusal => ({
    code: `ORDER_EXT_API_GET_ORDER_ERROR_${String(n).padStart(3, '0')}`,
    message,
  });
  const list = b.orderNumberList;
  if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === 'string'))
    return refuse(1, 'orderNumberListを指定して下さい。');
  if (list.length > 100) return refuse(2, 'orderNumberListは100件以内で指定して下さい。');
  if (
    typeof b.version !== 'number' ||
    !Number.isInteger(b.version) ||
    b.version < 3 ||
    b.version > 10
  )
    return refuse(3, 'versionの指定が不正です。');
  return { numbers: list as string[], version: b.version };
}
