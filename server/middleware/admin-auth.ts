import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

/**
 * Staff API authentication until operator accounts exist: `Authorization: Bearer <admin token>`.
 * The comparison runs over fixed-size digests so its timing says nothing about the token.
 */
export function adminAuth(adminToken: string | undefined): MiddlewareHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!expected || !match?.[1] || !equal(await digest(match[1].trim()), await expected)) {
      throw new AppError(
        401,
        'unauthorized',
        'a valid admin token is required (Authorization: Bearer …)',
      );
    }
    await next();
  };
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
