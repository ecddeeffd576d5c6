import type { InboxBody as StoredBody, LineInboxRepository } from '../db/line-inbox.ts';

/** One webhook request to acknowledge: its bot, its validated body's bytes, its event count. */
export interface InboxBody extends StoredBody {
  events: number;
}

/** Runs `f` once pending I/O has been handled (setImmediate where the runtime has it). */
const afterIo: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (f) => void globalThis.setImmediate(f)
    : (f) => void setTimeout(f, 0);

interface Waiting extends InboxBody {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Stores webhook bodies with group commit: requests that arrive while a write is in flight are
 * written together in the next statement. Idle, a request is written as soon as the event loop
 * has read what arrived with it (no timer, no added wait); under load, one commit serves many
 * requests, which is what keeps acknowledgements fast. One write in flight by default: measured
 * under load, more in flight only made smaller statements, and the database's cost per statement
 * then outweighed the overlap.
 * A request is answered only after the statement holding its events has committed. If a shared
 * statement fails, each of its requests is written again on its own, so one body the database
 * refuses fails only its own request (LINE redelivers it) and never its neighbours'.
 */
export class InboxWriter {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly inbox: Pick<LineInboxRepository, 'append'>,
    private readonly options: {
      maxInFlight?: number;
      maxBatchEvents?: number;
      maxBatchBytes?: number;
      onStored?: () => void;
    } = {},
  ) {}

  store(request: InboxBody): Promise<void> {
    if (request.events === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      // Not at once: after the requests already read in this turn of the event loop, so that a
      // burst arriving together is written together rather than its first request alone.
      if (!this.scheduled) {
        this.scheduled = true;
        afterIo(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxInFlight ?? 1)) {
      const batch = this.take();
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      await this.inbox.append(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => this.write([w])));
      return;
    }
    for (const w of batch) w.resolve();
    this.options.onStored?.();
  }

  /** The waiting requests that fit in one statement (at least one, whatever its size). */
  private take(): Waiting[] {
    const maxEvents = this.options.maxBatchEvents ?? 2000;
    const maxBytes = this.options.maxBatchBytes ?? 4 * 1024 * 1024;
    let events = 0;
    let bytes = 0;
    let n = 0;
    for (; n < this.queue.length; n++) {
      const next = this.queue[n]!;
      events += next.events;
      bytes += next.body.byteLength;
      if (n > 0 && (events > maxEvents || bytes > maxBytes)) break;
    }
    return this.queue.splice(0, n);
  }
}
