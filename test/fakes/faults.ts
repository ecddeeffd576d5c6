// Faults on demand, shared by the cart fakes: a test injects the next `times` failures of a kind,
// and each request takes the one due. The answers (401, 429, 503, a request held open) follow
// one pattern across carts; each fake gives only the bodies its cart sends.
import type { Context } from 'hono';
import { createHangs } from './hang.ts';

export type CartFault =
  'bad_credentials' | 'rate_limit' | 'server_error' | 'timeout' | 'malformed_record';

/** How a cart answers the faults that refuse a request. */
export interface FaultWire {
  /** bad_credentials: the cart's 401. */
  refused(c: Context): Response;
  /** rate_limit: the cart's 429. */
  tooMany(c: Context): Response;
  /** The 429's Retry-After (default '2'; null: none, as 楽楽リピート's 429 is assumed). */
  retryAfter?: string | null;
  /** server_error: the cart's 503 (plain text when not given). */
  unavailable?(c: Context): Response;
  /** timeout: holds the request (makeshop's fake no longer counts a held request as running). */
  hold?(wait: () => Promise<void>): Promise<void>;
}

export interface Faults {
  inject(kind: CartFault, times?: number): void;
  /**
   * Takes the next fault due. A malformed_record waits for a list with records (`list`), so
   * the faults that refuse a request pass it by while it waits.
   */
  take(list: boolean): CartFault | undefined;
  /** Whether a pending malformed_record fault spoils this list (it is then used up). */
  spoils(records: readonly unknown[]): boolean;
  /**
   * Answers a request with the fault due, logging its status (0 for a request held open), or
   * gives undefined when no fault refuses it.
   */
  answer(c: Context, log: (status: number) => void, wire: FaultWire): Promise<Response | undefined>;
  /** Lets every held request go (a fake's close). */
  release(): void;
  /** Drops the faults not yet taken. */
  clear(): void;
}

export function createFaults(): Faults {
  const pending: Array<{ kind: CartFault; left: number }> = [];
  const hangs = createHangs();
  const wait = () => hangs.hang(Number.POSITIVE_INFINITY);

  function take(list: boolean): CartFault | undefined {
    const i = pending.findIndex((f) => f.kind !== 'malformed_record' || list);
    if (i < 0) return undefined;
    const f = pending[i]!;
    if (--f.left <= 0) pending.splice(i, 1);
    return f.kind;
  }

  return {
    inject(kind, times = 1) {
      pending.push({ kind, left: times });
    },
    take,
    spoils: (records) => records.length > 0 && take(true) === 'malformed_record',
    async answer(c, log, wire) {
      const fault = take(false);
      switch (fault) {
        case undefined:
        case 'malformed_record':
          return undefined;
        case 'bad_credentials':
          log(401);
          return wire.refused(c);
        case 'rate_limit':
          log(429);
          if (wire.retryAfter !== null) c.header('Retry-After', wire.retryAfter ?? '2');
          return wire.tooMany(c);
        case 'server_error':
          log(503);
          return wire.unavailable?.(c) ?? c.text('Service Unavailable', 503);
        case 'timeout':
          log(0);
          // Held until the client gives up and the fake closes: the client must time out.
          await (wire.hold ? wire.hold(wait) : wait());
          return c.text('late', 504);
        default: {
          const never: never = fault;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
    },
    release: () => hangs.release(),
    clear() {
      pending.length = 0;
    },
  };
}
