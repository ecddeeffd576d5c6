import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureVerifier } from '../../bot/signature.ts';

/**
 * The webhook signature check on Node: node:crypto's synchronous HMAC costs a fraction of
 * WebCrypto's, whose every call is an async job on the thread pool (it was the largest item in the
 * webhook acknowledgement profile). Same contract as `verifyLineSignature`.
 */
export const verifyLineSignatureNode: SignatureVerifier = async (
  channelSecret,
  body,
  signature,
) => {
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const expected = Buffer.from(signature, 'base64');
  if (expected.length !== 32) return false;
  return timingSafeEqual(createHmac('sha256', channelSecret).update(body).digest(), expected);
};
