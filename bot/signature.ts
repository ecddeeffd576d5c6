import { decodeBase64 } from '../db/secret-box.ts';

/**
 * Verifies `x-line-signature`: base64(HMAC-SHA256(channel secret, raw body)). WebCrypto, so it runs
 * on Workers too; `crypto.subtle.verify` compares in constant time.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(channelSecret: string): Promise<CryptoKey> {
  let key = keys.get(channelSecret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(channelSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    // Bounded: a deployment has a handful of channels, but secrets rotate.
    if (keys.size > 1000) keys.clear();
    keys.set(channelSecret, key);
  }
  return key;
}

/**
 * Checks a webhook's signature; the Node runtime injects a faster node:crypto one, which answers
 * without a promise (one await less on every webhook).
 */
export type SignatureVerifier = (
  channelSecret: string,
  body: Uint8Array<ArrayBuffer>,
  signature: string | undefined,
) => boolean | Promise<boolean>;

export async function verifyLineSignature(
  channelSecret: string,
  body: Uint8Array<ArrayBuffer>,
  signature: string | undefined,
): Promise<boolean> {
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const expected = decodeBase64(signature);
  if (expected.length !== 32) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(channelSecret), expected, body);
}
