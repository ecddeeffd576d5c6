import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { SignatureVerifier } from '../../bot/signature.ts';

const keys = new Map<string, KeyObject>();

/** The secret as a key object, made once: converting the string on every request costs more. */
function keyFor(channelSecret: string): KeyObject {
  let key = keys.get(channelSecret);
  if (!key) {
    // Bounded: a deployment has a handful of channels, but secrets rotate.
    if (keys.size > 1000) keys.clear();
    key = createSecretKey(Buffer.from(channelSecret, 'utf8'));
    keys.set(channelSecret, key);
  }
  return key;
}

/**
 * The webhook signature check on Node: node:crypto's synchronous HMAC costs a fraction of
 * WebCrypto's, whose every call is an async job on the thread pool (it was the largest item in the
 * webhook acknowledgement profile). Same contract as `verifyLineSignature`.
 */
export const verifyLineSignatureNode: SignatureVerifier = (channelSecret, body, signature) => {
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const expected = Buffer.from(signature, 'base64');
  if (expected.length !== 32) return false;
  return timingSafeEqual(
    createHmac('sha256', keyFor(channelSecret)).update(body).digest(),
    expected,
  );
};
