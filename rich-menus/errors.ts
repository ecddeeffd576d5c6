import { LineApiError } from '../bot/line-port.ts';

export type RichMenuErrorCode =
  /** A definition LINE would refuse (richMenuSetSchema). */
  | 'invalid_definition'
  /** The image is not a PNG/JPEG of the menu's pixel size, or is over 1 MB. */
  | 'invalid_image'
  /** LINE refused a request; the message carries LINE's reason. */
  | 'line_refused'
  /** A rule's filter the friend selector cannot evaluate. */
  | 'unsupported_filter';

/** Why an apply or reassign stopped; `menu` names the definition concerned, when there is one. */
export class RichMenuError extends Error {
  constructor(
    readonly code: RichMenuErrorCode,
    message: string,
    readonly menu?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RichMenuError';
  }
}

/** Runs one LINE call; a refusal becomes a RichMenuError saying what we were doing and LINE's reason. */
export async function orRefused<T>(doing: string, menu: string | undefined, f: () => Promise<T>) {
  try {
    return await f();
  } catch (error) {
    if (!(error instanceof LineApiError)) throw error;
    const details = error.details
      .map((d) => [d.property, d.message].filter(Boolean).join(': '))
      .filter(Boolean);
    const reason = [error.message, ...details].join('; ');
    // A refusal (4xx) needs a change on our side; LINE down or busy needs only another try.
    const verb = error.kind === 'retryable' || error.kind === 'rate_limited' ? 'failed' : 'refused';
    throw new RichMenuError('line_refused', `LINE ${verb} ${doing}: ${reason}`, menu, {
      cause: error,
    });
  }
}
