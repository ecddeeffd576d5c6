import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { WebhookEvent } from '../crm/line-events.ts';
import { page, sortTime, type Page, type SortTime } from './page.ts';
import type { Database, LineEventsTable } from './schema.ts';

export interface StoredEvent {
  botId: string;
  webhookEventId: string;
  type: string;
  payload: WebhookEvent;
  attempts: number;
  seq: bigint;
}

export type EventOutcome = 'done' | 'ignored';

/** An event that failed for good, as an operator sees it. */
export interface FailedEvent {
  webhookEventId: string;
  type: string;
  lineUserId: string | null;
  occurredAt: Date;
  receivedAt: Date;
  attempts: number;
  lastError: string | null;
  payload: WebhookEvent;
}
/** Failed events sort newest first: occurred_at desc, webhook_event_id desc. */
export type FailedEventKey = [occurredAt: SortTime, webhookEventId: string];

/**
 * LINE events, each one row keyed by (bot, webhookEventId): a redelivery or a concurrent duplicate
 * hits the key and is dropped. Events come from the inbox (line-inbox.ts), usually already
 * processed; those left pending (a handler threw) are claimed here with FOR UPDATE SKIP LOCKED,
 * retried with backoff, and a claim not finished within its lease (a crashed worker) becomes due
 * again.
 */
export class LineEventRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Claims up to `limit` due events, oldest first, for `leaseSeconds`. */
  async claim(limit: number, leaseSeconds = 60): Promise<StoredEvent[]> {
    // Picked once (materialized) and joined on the key, so that the limit holds: see
    // LineInboxRepository.take.
    const rows = await sql<StoredEventRow>`
      with due as materialized (
        select bot_id, webhook_event_id from line_events
        where run_after <= now()
          and (state = 'pending' or (state = 'processing' and locked_until < now()))
        order by occurred_at, seq
        limit ${limit}
        for update skip locked)
      update line_events e set state = 'processing', attempts = attempts + 1,
        locked_until = now() + make_interval(secs => ${leaseSeconds})
      from due
      where e.bot_id = due.bot_id and e.webhook_event_id = due.webhook_event_id
      returning ${storedEventColumns('e')}`.execute(this.db);
    return inProcessingOrder(rows.rows.map(storedEvent));
  }

  /** Marks claimed events finished; run inside the transaction that made their effects. */
  async finish(
    db: Kysely<Database>,
    done: Array<{ event: StoredEvent; outcome: EventOutcome }>,
  ): Promise<void> {
    if (done.length === 0) return;
    await sql`
      update line_events set state = v.outcome, processed_at = now(), locked_until = null, last_error = null
      from unnest(${done.map((d) => d.event.botId)}::text[], ${done.map((d) => d.event.webhookEventId)}::text[],
        ${done.map((d) => d.outcome)}::text[]) as v(bot_id, webhook_event_id, outcome)
      where line_events.bot_id = v.bot_id and line_events.webhook_event_id = v.webhook_event_id`.execute(
      db,
    );
  }

  /**
   * Events not done, per bot and state: pending (new or retrying), processing (claimed), failed
   * for good. Two reads, each matching its partial index, so the done millions are never read.
   */
  async unfinished(): Promise<
    Array<{ botId: string; state: 'pending' | 'processing' | 'failed'; count: number }>
  > {
    const { rows } = await sql<{ bot_id: string; state: string; n: string }>`
      select bot_id, state, count(*) as n from line_events
      where state in ('pending', 'processing') group by bot_id, state
      union all
      select bot_id, 'failed', count(*) from line_events where state = 'failed' group by bot_id`.execute(
      this.db,
    );
    return rows.map((r) => ({
      botId: r.bot_id,
      state: r.state as 'pending' | 'processing' | 'failed',
      count: Number(r.n),
    }));
  }

  /**
   * A bot's events that failed for good, newest first, for an operator to read their errors
   * (keyset-paged on the line_events_failed index).
   */
  async failed(
    botId: string,
    options: { after?: FailedEventKey | undefined; limit: number },
  ): Promise<Page<FailedEvent, FailedEventKey>> {
    let query = this.db
      .selectFrom('line_events')
      .select([
        'webhook_event_id',
        'type',
        'line_user_id',
        'occurred_at',
        'received_at',
        'attempts',
        'last_error',
        'payload',
      ])
      .select(sortTime('occurred_at').as('sort_at'))
      .where('bot_id', '=', botId)
      .where('state', '=', 'failed');
    const after = options.after;
    if (after)
      query = query.where(
        sql<boolean>`(occurred_at, webhook_event_id) < (${after[0]}::timestamptz, ${after[1]})`,
      );
    const rows = await query
      .orderBy('occurred_at', 'desc')
      .orderBy('webhook_event_id', 'desc')
      .limit(options.limit + 1)
      .execute();
    return page(
      rows,
      options.limit,
      (r): FailedEvent => ({
        webhookEventId: r.webhook_event_id,
        type: r.type,
        lineUserId: r.line_user_id,
        occurredAt: r.occurred_at,
        receivedAt: r.received_at,
        attempts: r.attempts,
        lastError: r.last_error,
        payload: r.payload as WebhookEvent,
      }),
      (r): FailedEventKey => [r.sort_at, r.webhook_event_id],
    );
  }

  /**
   * Puts a bot's failed events (those of `webhookEventIds`, or all) back to pending with fresh
   * attempts, after an operator fixed their cause; the worker claims them as it claims retries.
   * Only failed events move: one that was done is never run twice. Resolves to the ids moved.
   */
  async retryFailed(botId: string, webhookEventIds?: string[]): Promise<string[]> {
    let query = this.db
      .updateTable('line_events')
      .set({ state: 'pending', attempts: 0, run_after: sql`now()`, locked_until: null })
      .where('bot_id', '=', botId)
      .where('state', '=', 'failed');
    if (webhookEventIds)
      query = query.where('webhook_event_id', '=', sql<string>`any(${webhookEventIds}::text[])`);
    const rows = await query.returning('webhook_event_id').execute();
    return rows.map((r) => r.webhook_event_id);
  }

  /** Records a failed attempt: due again after `retryInSeconds`, or failed for good. */
  async failAttempt(
    event: StoredEvent,
    error: string,
    finalFailure: boolean,
    retryInSeconds: number,
  ): Promise<void> {
    await this.db
      .updateTable('line_events')
      .set({
        state: finalFailure ? 'failed' : 'pending',
        last_error: error.slice(0, 2000),
        locked_until: null,
        run_after: sql`now() + make_interval(secs => ${retryInSeconds})`,
      })
      .where('bot_id', '=', event.botId)
      .where('webhook_event_id', '=', event.webhookEventId)
      .execute();
  }

  async counts(botId?: string): Promise<Record<string, number>> {
    let query = this.db
      .selectFrom('line_events')
      .select(['state', sql<string>`count(*)`.as('n')])
      .groupBy('state');
    if (botId) query = query.where('bot_id', '=', botId);
    const rows = await query.execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}

const STORED_EVENT_COLUMNS = [
  'bot_id',
  'webhook_event_id',
  'type',
  'payload',
  'attempts',
  'seq',
] as const;
export type StoredEventRow = Pick<
  Selectable<LineEventsTable>,
  (typeof STORED_EVENT_COLUMNS)[number]
>;

/**
 * The columns a StoredEvent is made of, for `returning`: the others (times, state) would be
 * formatted by the database and parsed here for every event, unused. Named rather than `*`, a
 * column added later does not change what a statement returns either.
 */
export function storedEventColumns(alias?: string): RawBuilder<unknown> {
  return sql.raw(STORED_EVENT_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', '));
}

export function storedEvent(row: StoredEventRow): StoredEvent {
  return {
    botId: row.bot_id,
    webhookEventId: row.webhook_event_id,
    type: row.type,
    payload: (typeof row.payload === 'string'
      ? JSON.parse(row.payload)
      : row.payload) as WebhookEvent,
    attempts: row.attempts,
    seq: BigInt(row.seq),
  };
}

/** LINE's order: by event time, then arrival (a body's order, then the bodies'). */
export function inProcessingOrder(events: StoredEvent[]): StoredEvent[] {
  return events.sort(
    (a, b) =>
      a.payload.timestamp - b.payload.timestamp || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0),
  );
}
