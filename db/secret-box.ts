/**
 * Seals secrets at rest (channel secrets, access tokens, cart credentials) with AES-256-GCM.
 * WebCrypto only, so the same code runs on Node and on Workers.
 *
 * Sealed form: `v1.<iv base64url>.<ciphertext+tag base64url>`. The version prefix leaves room for
 * key rotation later without guessing at the format of old rows.
 */
/**
 * A stored secret that does not open with this key: sealed under another KIZUNA_SECRET_KEY (the
 * key was changed or lost), or damaged. Logged with this message wherever it surfaces (a webhook's
 * 500, a failed job), so that an operator sees the cause rather than WebCrypto's bare
 * "OperationError".
 */
export class SecretUnreadableError extends Error {
  constructor() {
    super(
      'a stored secret cannot be opened with this KIZUNA_SECRET_KEY: it was sealed under another ' +
        'key or is damaged (restore the key, or set the secret again through the API)',
    );
    this.name = 'SecretUnreadableError';
  }
}

export class SecretBox {
  /**
   * Opened secrets by sealed form. Jobs read a bot's credentials for every LINE call (so that a
   * changed token is used at once), and decrypting them each time was a large part of a job's CPU.
   * A new secret is sealed with a new IV, so a changed secret is never answered from here.
   */
  private readonly opened = new Map<string, string>();

  private constructor(private readonly key: CryptoKey) {}

  static async fromBase64Key(base64Key: string): Promise<SecretBox> {
    const raw = decodeBase64(base64Key);
    if (raw.length !== 32) {
      throw new Error('the secret key must be 32 bytes, base64-encoded');
    }
    const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    return new SecretBox(key);
  }

  static generateKey(): string {
    return encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
  }

  async seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(plaintext);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.key, data),
    );
    return `v1.${encodeBase64Url(iv)}.${encodeBase64Url(sealed)}`;
  }

  async open(sealed: string): Promise<string> {
    const hit = this.opened.get(sealed);
    if (hit !== undefined) return hit;
    const [version, iv, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !data) {
      throw new Error('not a sealed secret');
    }
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: decodeBase64(iv) },
        this.key,
        decodeBase64(data),
      );
    } catch {
      // WebCrypto says only "OperationError"; the usual cause is a key that changed.
      throw new SecretUnreadableError();
    }
    const plaintext = new TextDecoder().decode(plain);
    // Bounded: a deployment has a handful of bots and connections, but secrets rotate.
    if (this.opened.size >= 1000) this.opened.clear();
    this.opened.set(sealed, plaintext);
    return plaintext;
  }
}

/** Accepts standard and URL-safe base64, with or without padding. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const standard = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
