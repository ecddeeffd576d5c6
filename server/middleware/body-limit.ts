import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.ts';

/** The body limit when none is configured: 1 MiB (LINE's webhook bodies stay far below it). */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Refuses bodies over `maxBytes` with 413. A request that declares its length (the usual case,
 * and LINE's) is judged by the header alone: Node's parser never delivers more bytes than it
 * declares, and not touching the body stream keeps @hono/node-server on its fast path, where
 * reading the body does not build a full web Request (that cost a third of the webhook's time).
 * Chunked bodies are counted as they stream, by Hono's own middleware.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new AppError(413, 'payload_too_large', `the body exceeds ${maxBytes} bytes`);
  };
  const streaming = honoBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) tooLarge();
      return next();
    }
    return streaming(c, next);
  };
}
