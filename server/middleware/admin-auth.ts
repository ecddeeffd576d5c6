import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

/**
 * Staff API authentication until operator accounts exist: `Authorization: Bearer <admin token>`.
 * A route may accept other tokens too (/metrics takes a metrics-only one). The comparison runs over
 * fixed-size digests so its timing says nothing about the tokens.
 */
export function adminAuth(...tokens: Array<string | undefined>): MiddlewareHandler {
  const expected = tokens.filter((t): t is string => !!t).map(digest);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = match?.[1] ? await digest(match[1].trim()) : undefined;
    let ok = false;
    for (const token of expected) if (given && equal(given, await token)) ok = true;
    if (!ok) {
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
