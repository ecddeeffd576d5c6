import { z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';

/**
 * Opaque list cursors: base64url of the JSON sort key of a page's last row. Clients only pass them
 * back; the server validates a cursor's shape like any other input, so a tampered one is a 400 and
 * never reaches SQL.
 */

export function encodeCursor(key: unknown): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(key)))
    binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The decoded JSON, or undefined when the text is not base64url of JSON. */
export function decodeCursor(text: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A timestamp inside a cursor, as the queries write it (UTC, microseconds). Checked to be a real
 * date, since the database would answer an impossible one (Feb 30) with an error, not a 400.
 */
export const cursorTime = z
  .string()
  .regex(/^(19|2\d)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  .refine((s) => {
    const ms = Date.parse(s);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 23) === s.slice(0, 23);
  });

/** An id inside a cursor. */
export const cursorId = z.string().min(1).max(200);

/** The `cursor` query parameter of a list whose sort key has the shape `key`. */
export function cursorQuery<T extends ZodType>(key: T) {
  return z
    .string()
    .max(2000)
    .transform((text, ctx): z.output<T> => {
      const parsed = key.safeParse(decodeCursor(text));
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this list gave out' });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional()
    .openapi({
      type: 'string',
      description: 'Opaque: the `nextCursor` of the previous page; omit for the first page',
    });
}

/** The `limit` query parameter: 1–200 items a page, 50 unless given. */
export const limitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .openapi({ description: 'Items per page (1–200)' });
