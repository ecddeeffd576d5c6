// Rakuten Pay order API's wire format (RakutenPayOrderAPI searchOrder / getOrder): request bodies,
// datetimes and the zod schemas of the answers. The assumption behind each field is listed at the
// top of ../rakuten.ts; ./map.ts turns orders into Kizuna's cart model.
import { z } from 'zod';

export const JST = 9 * 3_600_000;
/** searchOrder's `dateType`: 1 注文日 (order datetime), 5 発送完了報告日 (shipping report). */
export const DATE_TYPE = { ordered: 1, shipmentReported: 5 } as const;
export type DateType = (typeof DATE_TYPE)[keyof typeof DATE_TYPE];
/** getOrder `version` (10 = ソーシャルギフト対応, the latest the research found). */
export const GET_ORDER_VERSION = 10;
/** Unknown amounts are sent as -9999. */
export const UNKNOWN = -9999;

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/;
export const time = z.string().regex(TIME, 'not a Rakuten datetime (YYYY-MM-DDThh:mm:ss+0900)');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date (YYYY-MM-DD)');

/** `2017-10-14T00:00:00+0900` → epoch ms. */
export function parseTime(s: string): number {
  const m = TIME.exec(s)!;
  const offset = (m[7] === '-' ? -1 : 1) * (+m[8]! * 3_600_000 + +m[9]! * 60_000);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - offset;
}

/** epoch ms → `2017-10-14T00:00:00+0900` (Rakuten's own form, JST). */
export function formatTime(ms: number): string {
  return `${new Date(ms + JST).toISOString().slice(0, 19)}+0900`;
}

/** A JST calendar date (`shippingDate`) → its midnight in JST. */
export const jstDate = (d: string) => new Date(Date.parse(`${d}T00:00:00+09:00`));

const message = z.object({
  messageType: z.string(),
  messageCode: z.string(),
  message: z.string(),
  orderNumber: z.string().nullish(),
});
export type RakutenMessage = z.infer<typeof message>;

export const searchResponse = z.object({
  orderNumberList: z.array(z.string()).nullish(),
  MessageModelList: z.array(message).nullish(),
  PaginationResponseModel: z
    .object({
      totalRecordsAmount: z.number().int().nullish(),
      totalPages: z.number().int().nullish(),
      requestPage: z.number().int().nullish(),
    })
    .nullish(),
});
export type SearchResponse = z.infer<typeof searchResponse>;

/** The envelope only: each order is read on its own, so one bad order does not lose the rest. */
export const getOrderResponse = z.object({
  OrderModelList: z.array(z.unknown()).nullish(),
  MessageModelList: z.array(message).nullish(),
});

/** An error answer (400 and others): `MessageModelList[].{messageType,messageCode,message}`. */
export const errorResponse = z.object({ MessageModelList: z.array(message) });

export interface SearchRequest {
  dateType: DateType;
  startDatetime: string;
  endDatetime: string;
  PaginationRequestModel: {
    requestRecordsAmount: number;
    requestPage: number;
    SortModelList: Array<{ sortColumn: 1; sortDirection: 1 | 2 }>;
  };
}

export function searchRequest(
  dateType: DateType,
  startMs: number,
  endMs: number,
  page: number,
  pageSize: number,
): SearchRequest {
  return {
    dateType,
    startDatetime: formatTime(startMs),
    endDatetime: formatTime(endMs),
    PaginationRequestModel: {
      requestRecordsAmount: pageSize,
      requestPage: page,
      // 1 注文日時, ascending: the only sort column the API offers.
      SortModelList: [{ sortColumn: 1, sortDirection: 1 }],
    },
  };
}

export const getOrderRequest = (orderNumberList: string[]) => ({
  orderNumberList,
  version: GET_ORDER_VERSION,
});

const str = z.string().nullish();
const int = z.number().int().nullish();

export const orderer = z.object({
  familyName: str,
  firstName: str,
  familyNameKana: str,
  firstNameKana: str,
  phoneNumber1: str,
  phoneNumber2: str,
  phoneNumber3: str,
  emailAddress: str,
});

export const shipping = z.object({
  shippingNumber: str,
  deliveryCompany: z.union([z.string(), z.number()]).nullish(),
  deliveryCompanyName: str,
  shippingDate: date.nullish(),
});

const item = z.object({
  itemName: z.string(),
  itemNumber: str,
  manageNumber: str,
  price: z.number(),
  priceTaxIncl: z.number().nullish(),
  units: z.number().int(),
});

const packageModel = z.object({
  basketId: z.union([z.number(), z.string()]).nullish(),
  ItemModelList: z.array(item),
  ShippingModelList: z.array(shipping).nullish(),
});

const change = z.object({
  changeApplyDatetime: time.nullish(),
  changeFixDatetime: time.nullish(),
  changeCmplDatetime: time.nullish(),
});

export const orderModel = z.object({
  orderNumber: z.string().min(1),
  orderProgress: z.number().int(),
  orderDatetime: time,
  shopOrderCfmDatetime: time.nullish(),
  orderFixDatetime: time.nullish(),
  shippingInstDatetime: time.nullish(),
  shippingCmplRptDatetime: time.nullish(),
  deliveryDate: date.nullish(),
  orderType: z.number().int(),
  reserveNumber: str,
  reserveDeliveryCount: int,
  rakutenMemberFlag: int,
  totalPrice: z.number(),
  couponAllTotalPrice: z.number().nullish(),
  deliveryPrice: z.number().nullish(),
  paymentCharge: z.number().nullish(),
  additionalFeeOccurAmountToUser: z.number().nullish(),
  OrdererModel: orderer,
  PackageModelList: z.array(packageModel),
  ChangeReasonModelList: z.array(change).nullish(),
});
export type OrderModel = z.infer<typeof orderModel>;
