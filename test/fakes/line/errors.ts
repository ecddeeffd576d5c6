// LINE's error bodies. Marked [doc] when the text is in LINE's reference, [seen] when it is
// quoted from real responses by several independent code bases, [guess] otherwise.
import type { ErrorDetail } from './openapi.ts';

export interface LineError {
  message: string;
  details?: ErrorDetail[];
  sentMessages?: Array<{ id: string; quoteToken?: string }>;
}

export const errors = {
  // [seen] missing header / wrong scheme vs. a token LINE does not know
  noAuthHeader: {
    message:
      "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
  },
  badToken: {
    message:
      'Authentication failed. Confirm that the access token in the authorization header is valid.',
  },
  // [seen] rate limit vs. monthly quota: callers tell them apart by this text
  rateLimit: { message: 'The API rate limit has been exceeded. Try again later.' },
  monthlyLimit: { message: 'You have reached your monthly limit.' },
  // [doc] retrying an accepted request
  retryKeyAccepted: { message: 'The retry key is already accepted' },
  // [doc] reply token used, expired or unknown
  invalidReplyToken: { message: 'Invalid reply token' },
  // [doc] profile, rich menu, content
  notFound: { message: 'Not found' },
  // [doc] bulk link with an unknown rich menu
  richMenuNotFound: { message: 'richmenu not found', details: [] },
  // [doc] follower ids with a bad continuation token
  invalidStart: { message: 'Invalid start param' },
  // [doc] body that is not JSON; LINE names the position, the fake does not track it
  unparsable: { message: 'The request body could not be parsed as JSON (line: -, column: -)' },
  // [doc] "The content type, XXX, is not supported"
  contentType: (type: string) => ({ message: `The content type, ${type}, is not supported` }),
  // [doc] path parameter, e.g. link rich menu with a malformed userId
  invalidParameter: (name: string) => ({
    message: `The value for the '${name}' parameter is invalid`,
  }),
  // [doc] a property LINE checks beyond the schema (e.g. a malformed user ID in `to`)
  invalidProperty: (property: string) => ({
    message: `The property, '${property}', in the request body is invalid (line: -, column: -)`,
  }),
  // [doc] envelope of schema errors
  body: (details: ErrorDetail[]): LineError => ({
    message: `The request body has ${details.length} error(s)`,
    details,
  }),
  // [guess] LINE documents a 400 for a retry key on an endpoint that does not take one
  retryKeyNotSupported: {
    message: 'The X-Line-Retry-Key header is not supported by this endpoint',
  },
  // [guess]
  invalidRetryKey: { message: "The value for the 'X-Line-Retry-Key' header is invalid" },
  // [seen] per-user link of a rich menu that has no image yet
  richMenuNoImage: { message: 'must upload richmenu image before applying it to user' },
  // [seen]
  userHasNoRichMenu: { message: 'the user has no richmenu', details: [] },
  noDefaultRichMenu: { message: 'no default richmenu', details: [] },
  // [guess] bodies for injected faults
  internal: { message: 'Internal server error' },
  unavailable: { message: 'Service unavailable' },
} as const;
