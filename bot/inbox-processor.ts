import type { Kysely } from 'kysely';
import type { Db } from '../db/index.ts';
import { ConversationRepository } from '../db/conversations.ts';
import { FriendRepository } from '../db/friends.ts';
import { LineInboxRepository } from '../db/line-inbox.ts';
import { LineEventRepository, type EventOutcome, type StoredEvent } from '../db/line-events.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../server/logger.ts';
import { BatchLoops, type BatchStep } from './batch-loops.ts';
import type { EventContext } from './events/context.ts';
import { handleEvent } from './events/handle.ts';
import { handleWave, waves, type Outcome } from './events/wave.ts';
import type { PostbackRegistry } from './postbacks.ts';

/** LINE sends 1–5 events per request; a batch of `batchSize` events takes about this many bodies. */
const EVENTS_PER_BODY = 3;

export interface InboxProcessorOptions {
  db: Db;
  logger: Logger;
  postbacks: PostbackRegistry;
  /** Enqueues profile fetches inside the given transaction. */
  enqueueProfileRefresh(trx: Kysely<Database>, botId: string, lineUserIds: string[]): Promise<void>;
  batchSize?: number;
  /** Attempts before an event is marked failed for good (a poison event). */
  maxAttempts?: number;
  /** Polling interval when idle; `notify()` wakes the loop at once. */
  idleMs?: number;
  /** Pause after a batch smaller than asked (caught up), to gather the next (default 20 ms). */
  gatherMs?: number;
  /** Bodies taken, in all, before the inbox is vacuumed once it has caught up (default 10,000). */
  vacuumAfterBodies?: number;
  /**
   * Loops at most (PGlite runs one statement at a time, so 1 there). One runs always; the others
   * join only while batches come back full (a backlog), see BatchLoops.
   */
  loops?: number;
  /** Shop time zone, for rules run by events (default Asia/Tokyo). */
  timeZone?: string | undefined;
  /** Seconds before retrying an event that failed `attempts` times (default 2^attempts, ≤ 300). */
  retryDelay?: (attempts: number) => number;
  /** Told how many events ended each way, once their transaction committed (metrics). */
  onProcessed?: (outcome: ProcessedOutcome, count: number) => void;
}

/** How a processed event ended: its outcome, or a failed attempt (retried later, or for good). */
export type ProcessedOutcome = EventOutcome | 'retrying' | 'failed';

/**
 * Processes the webhook inbox. A batch runs in one transaction: one commit per batch keeps
 * throughput high. An event whose handler throws is rolled back alone (see runBatch), then retried
 * later with backoff until it is marked failed.
 */
export class InboxProcessor {
  private readonly events: LineEventRepository;
  private readonly inbox: LineInboxRepository;
  private loops: BatchLoops | undefined;
  private takenSinceVacuum = 0;
  private vacuuming: Promise<void> | undefined;

  constructor(private readonly options: InboxProcessorOptions) {
    this.events = new LineEventRepository(options.db.kysely);
    this.inbox = new LineInboxRepository(options.db.kysely);
  }

  /**
   * Processes one batch; resolves to how many events (or bodies) it moved on. Events left pending
   * (retries) go first, being older; then bodies from the inbox.
   */
  async runOnce(limit = this.options.batchSize ?? 200): Promise<number> {
    return (await this.step(limit)).moved;
  }

  /** One batch; `full` when it was as large as asked (more is probably waiting). */
  private async step(limit: number): Promise<BatchStep> {
    const batch = await this.events.claim(limit);
    if (batch.length > 0) {
      // The batch in one transaction; if any handler throws, all of it is rolled back and the
      // batch runs again with a savepoint per event, so only the failing one is held back.
      if (!(await this.runBatch(batch, false))) await this.runBatch(batch, true);
      return { moved: batch.length, full: batch.length === limit };
    }
    const bodies = Math.max(1, Math.floor(limit / EVENTS_PER_BODY));
    const taken = await this.takeInbox(bodies);
    if (taken > 0 && taken < bodies) this.vacuumAfterBacklog();
    return { moved: taken, full: taken === bodies };
  }

  /**
   * Once a backlog of at least `vacuumAfterBodies` has been taken and the inbox has caught up, the
   * inbox is vacuumed. Every intake reads the inbox's index from its oldest entry, so the dead
   * entries a burst leaves behind would be read again by every intake until something vacuums
   * them; autovacuum may be off, and otherwise comes only at its next round. The vacuum runs
   * beside the loops, not in their way (stop() waits for it).
   */
  private vacuumAfterBacklog(): void {
    if (this.takenSinceVacuum < (this.options.vacuumAfterBodies ?? 10_000) || this.vacuuming)
      return;
    this.takenSinceVacuum = 0;
    this.vacuuming = this.inbox
      .vacuum(this.options.db.driver.kind === 'postgres')
      .catch((error: unknown) => this.options.logger.warn('inbox: vacuum failed', { error }))
      .finally(() => {
        this.vacuuming = undefined;
      });
  }

  /**
   * Takes bodies from the inbox and runs their new events in the same transaction, so each event
   * row is written once, already processed, and the bodies leave the inbox only with their
   * effects. If anything throws, that is all rolled back and the bodies are taken in as pending
   * events instead, for the claim path to run one by one with retries; a body intake itself
   * cannot read is set aside. Resolves to the number of bodies taken.
   */
  private async takeInbox(bodies: number): Promise<number> {
    const trx = await this.options.db.kysely.startTransaction().execute();
    try {
      const taken = await this.inbox.take(trx, bodies, 'processed');
      const outcomes = await this.runWaves(trx, taken.events);
      // Rows were stored as done; only the other outcomes need writing.
      await this.events.finish(
        trx,
        outcomes.filter((o) => o.outcome !== 'done'),
      );
      await trx.commit().execute();
      this.takenSinceVacuum += taken.bodies;
      this.counted(outcomes);
      return taken.bodies;
    } catch (error) {
      this.options.logger.warn('inbox: a batch failed; its events go pending, to run one by one', {
        error: error instanceof Error ? error.message : String(error),
      });
      await trx
        .rollback()
        .execute()
        .catch(() => {});
    }
    try {
      return (
        await this.options.db.kysely
          .transaction()
          .execute((t) => this.inbox.take(t, bodies, 'pending'))
      ).bodies;
    } catch (error) {
      this.options.logger.error('inbox: a body cannot be read; finding it', { error });
      return (await this.inbox.setAsideUnreadable(bodies)) ? 1 : 0;
    }
  }

  /** The fast path: a batch in waves (see waves()), each wave set-based per bot. */
  private async runWaves(trx: Kysely<Database>, batch: StoredEvent[]): Promise<Outcome[]> {
    const done: Outcome[] = [];
    for (const wave of waves(batch)) {
      for (const [botId, events] of byBot(wave))
        done.push(...(await handleWave(this.context(trx, botId), events)));
    }
    return done;
  }

  /** Runs a batch in one transaction; false when the fast path hit an error and must be redone. */
  private async runBatch(batch: StoredEvent[], isolated: boolean): Promise<boolean> {
    const failures: Array<{ event: StoredEvent; error: unknown }> = [];
    const done: Outcome[] = [];
    const trx = await this.options.db.kysely.startTransaction().execute();
    try {
      if (!isolated) {
        done.push(...(await this.runWaves(trx, batch)));
      } else {
        for (const event of batch) {
          const savepoint = await trx.savepoint('event').execute();
          try {
            done.push({ event, outcome: await this.handle(savepoint, event) });
            await savepoint.releaseSavepoint('event').execute();
          } catch (error) {
            await savepoint.rollbackToSavepoint('event').execute();
            failures.push({ event, error });
          }
        }
      }
      await this.events.finish(trx, done);
      await trx.commit().execute();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      if (!isolated) return false;
      throw error;
    }
    this.counted(done);
    for (const { event, error } of failures) await this.recordFailure(event, error);
    return true;
  }

  private counted(outcomes: Outcome[]): void {
    const report = this.options.onProcessed;
    if (!report) return;
    let ignored = 0;
    for (const o of outcomes) if (o.outcome === 'ignored') ignored++;
    report('done', outcomes.length - ignored);
    report('ignored', ignored);
  }

  /** Processes until nothing is due (for tests and Workers' waitUntil). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    await this.vacuuming;
    return total;
  }

  start(): void {
    this.loops ??= new BatchLoops({
      step: (limit) => this.step(limit),
      onError: (error) => this.options.logger.error('inbox: batch failed', { error }),
      limit: this.options.batchSize ?? 200,
      loops: this.options.db.driver.kind === 'pglite' ? 1 : (this.options.loops ?? 4),
      idleMs: this.options.idleMs ?? 250,
      gatherMs: this.options.gatherMs ?? 20,
    });
    this.loops.start();
  }

  /** New events were stored: process them now rather than at the next poll. */
  notify(): void {
    this.loops?.notify();
  }

  async stop(): Promise<void> {
    await this.loops?.stop();
    await this.vacuuming;
  }

  private handle(trx: Kysely<Database>, event: StoredEvent): Promise<EventOutcome> {
    return handleEvent(event.payload, this.context(trx, event.botId));
  }

  private context(trx: Kysely<Database>, botId: string): EventContext {
    return {
      botId,
      trx,
      friends: new FriendRepository(trx),
      conversations: new ConversationRepository(trx),
      postbacks: this.options.postbacks,
      timeZone: this.options.timeZone,
      refreshProfiles: (lineUserIds) =>
        lineUserIds.length > 0
          ? this.options.enqueueProfileRefresh(trx, botId, lineUserIds)
          : Promise.resolve(),
    };
  }

  private async recordFailure(event: StoredEvent, error: unknown): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const final = event.attempts >= maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(
      final ? 'inbox: event failed for good' : 'inbox: event failed, will retry',
      {
        botId: event.botId,
        webhookEventId: event.webhookEventId,
        type: event.type,
        attempts: event.attempts,
        error: message,
      },
    );
    const delay = this.options.retryDelay?.(event.attempts) ?? Math.min(2 ** event.attempts, 300);
    await this.events.failAttempt(event, message, final, delay);
    this.options.onProcessed?.(final ? 'failed' : 'retrying', 1);
  }
}

function byBot(events: StoredEvent[]): Map<string, StoredEvent[]> {
  const out = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const list = out.get(event.botId);
    if (list) list.push(event);
    else out.set(event.botId, [event]);
  }
  return out;
}
