import type { WebhookEvent } from '../crm/line-events.ts';
import type { LineEventRepository } from '../db/line-events.ts';

interface Waiting {
  items: Array<{ botId: string; event: WebhookEvent }>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Stores webhook events with group commit: requests that arrive while a write is in flight are
 * written together in the next statement. Idle, a request is written at once (no added latency);
 * under load, one commit serves many requests, which is what keeps acknowledgements fast.
 * A request is answered only after the statement holding its events has committed.
 */
export class InboxWriter {
  private queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly events: LineEventRepository,
    private readonly options: {
      maxInFlight?: number;
      maxBatchEvents?: number;
      onStored?: () => void;
    } = {},
  ) {}

  store(botId: string, events: WebhookEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items: events.map((event) => ({ botId, event })), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxInFlight ?? 4)) {
      const batch = this.take();
      this.inFlight += 1;
      this.events
        .insert(batch.flatMap((w) => w.items))
        .then(
          () => {
            for (const w of batch) w.resolve();
            this.options.onStored?.();
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
    }
  }

  /** The waiting requests that fit in one statement (at least one, whatever its size). */
  private take(): Waiting[] {
    const limit = this.options.maxBatchEvents ?? 2000;
    let count = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n]!.items.length <= limit)) {
      count += this.queue[n]!.items.length;
      n += 1;
    }
    return this.queue.splice(0, n);
  }
}
