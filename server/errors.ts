import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `channelSecret` or `events.0.type`. */
  field: string;
  message: string;
}

/**
 * An error that knows its HTTP status and a stable code. Everything the API refuses goes through
 * this one type; the error boundary turns it into `{ error: { code, message, fields? } }`.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);

export function invalidRequest(error: ZodError, where?: string): AppError {
  const fields = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
  const first = fields[0];
  const summary = first ? `${first.field}: ${first.message}` : 'invalid request';
  return new AppError(400, 'invalid_request', summary, fields);
}

/**
 * What the API answers for a thrown error: known errors keep their status and code; anything else
 * is a 500 whose details stay out of the answer (`unexpected`: the caller logs it). The one mapping
 * for every way Kizuna serves HTTP (the Hono app and the Node server's direct webhook path).
 */
export function errorAnswer(error: unknown): {
  status: ContentfulStatusCode;
  body: ReturnType<AppError['toJSON']>;
  unexpected: boolean;
} {
  if (error instanceof AppError)
    return { status: error.status, body: error.toJSON(), unexpected: false };
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 400 ? 'bad_request' : 'http_error';
    return { status, body: new AppError(status, code, error.message).toJSON(), unexpected: false };
  }
  const internal = new AppError(500, 'internal_error', 'something went wrong on our side');
  return { status: 500, body: internal.toJSON(), unexpected: true };
}
