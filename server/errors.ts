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
