// Identifiers in the shapes LINE uses, so code that checks formats meets real-looking values.
import { randomBytes, randomUUID } from 'node:crypto';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** User, group and room IDs: a type letter and 32 lower-case hex digits. */
export const USER_ID = /^U[0-9a-f]{32}$/;
export const RECIPIENT_ID = /^[UCR][0-9a-f]{32}$/;

export const newUserId = () => `U${hex(16)}`;
export const newRequestId = () => randomUUID();
export const newReplyToken = () => hex(16);
export const newRichMenuId = () => `richmenu-${hex(16)}`;
export const newQuoteToken = () =>
  randomBytes(48).toString('base64url').replace(/[-_]/g, 'x').slice(0, 64);

// Message IDs are decimal strings of 18 digits; a counter keeps them unique and ordered.
let messageSeq = 0n;
export const newMessageId = () => String(500000000000000000n + ++messageSeq);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** webhookEventId is a ULID: 10 chars of millisecond time, 16 of randomness (Crockford base32). */
export function newUlid(at: number): string {
  let time = '';
  let t = Math.floor(at);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const rand = [...randomBytes(16)].map((b) => CROCKFORD[b % 32]!).join('');
  return time + rand;
}

export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
