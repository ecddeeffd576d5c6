import { LineApiError } from './line-port.ts';

/**
 * Turns LINE's answers into LineApiError, decided once here so callers switch on `kind` and never
 * look at status codes or message texts themselves.
 */

// LINE answers 429 both for its per-second rate limits and for an exhausted monthly quota; only
// the message tells them apart (research §2.3). The quota one needs staff, a retry never helps.
const MONTHLY_LIMIT = /monthly limit/i;

interface LineErrorBody {
  message?: unknown;
  details?: unknown;
}

/** An error for a LINE response that is not 2xx. `text` is the raw body (JSON when LINE wrote it). */
export function errorFromResponse(
  status: number,
  text: string,
  requestId: string | undefined,
): LineApiError {
  const body = parseBody(text);
  const message =
    typeof body.message === 'string' && body.message ? body.message : `LINE answered ${status}`;
  const details = Array.isArray(body.details) ? body.details.filter(isDetail) : [];
  return new LineApiError(kindOf(status, message), status, message, details, requestId);
}

/** An error for a request that got no answer: the network failed or our timeout fired. */
export function errorFromFailure(
  cause: unknown,
  timedOutAfterMs: number | undefined,
): LineApiError {
  const message =
    timedOutAfterMs !== undefined
      ? `LINE did not answer within ${timedOutAfterMs} ms`
      : `LINE could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`;
  // No answer means LINE may or may not have accepted the request: retry with the same key.
  const error = new LineApiError('retryable', undefined, message);
  error.cause = cause;
  return error;
}

function kindOf(status: number, message: string): LineApiError['kind'] {
  if (status >= 500) return 'retryable';
  if (status === 429) return MONTHLY_LIMIT.test(message) ? 'monthly_limit' : 'rate_limited';
  if (status === 401) return 'unauthorized';
  // Redirects or other oddities (a proxy in the way) are not worth repeating either.
  return 'permanent';
}

function parseBody(text: string): LineErrorBody {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as LineErrorBody) : {};
  } catch {
    // An HTML error page from a proxy or load balancer: keep a short excerpt as the message.
    return text.trim() ? { message: text.trim().slice(0, 200) } : {};
  }
}

function isDetail(d: unknown): d is { message?: string; property?: string } {
  if (!d || typeof d !== 'object') return false;
  const { message, property } = d as Record<string, unknown>;
  return (
    (message === undefined || typeof message === 'string') &&
    (property === undefined || typeof property === 'string')
  );
}

/** What line_requests.error stores: enough to show staff why LINE refused, without the stack. */
export interface StoredLineError {
  kind: LineApiError['kind'] | 'retry_key_expired' | 'unexpected';
  status: number | null;
  message: string;
  details: Array<{ message?: string; property?: string }>;
  lineRequestId: string | null;
}

export function toStoredError(error: unknown): StoredLineError {
  if (error instanceof LineApiError) {
    return {
      kind: error.kind,
      status: error.status ?? null,
      message: error.message,
      details: error.details,
      lineRequestId: error.requestId ?? null,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', status: null, message, details: [], lineRequestId: null };
}
