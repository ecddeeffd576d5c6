import { sql, type Kysely, type Selectable } from 'kysely';
import { eventUserId, type WebhookEvent } from '../crm/line-events.ts';
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

/**
 * The webhook inbox. Each LINE event is one row keyed by (bot, webhookEventId): a redelivery or a
 * concurrent duplicate hits the key and is dropped. The table is also the queue of work: workers
 * claim due rows with FOR UPDATE SKIP LOCKED, and a claim that is not finished within its lease
 * (a crashed worker) becomes due again.
 */
export class LineEventRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores events; returns how many were new. Many requests' events go in one statement: columns
   * travel as seven arrays (unnest), so the statement's text and parameter count stay the same
   * whatever the batch size, which keeps the acknowledgement path cheap for client and server.
   */
  async insert(items: Array<{ botId: string; event: WebhookEvent }>): Promise<number> {
    if (items.length === 0) return 0;
    const result = await sql`
      insert into line_events (bot_id, webhook_event_id, type, line_user_id, occurred_at, is_redelivery, payload)
      select b, e, t, u, to_timestamp(o / 1000.0), r, p::jsonb
      from unnest(${items.map((i) => i.botId)}::text[], ${items.map((i) => i.event.webhookEventId)}::text[],
        ${items.map((i) => i.event.type)}::text[], ${items.map((i) => eventUserId(i.event) ?? null)}::text[],
        ${items.map((i) => i.event.timestamp)}::float8[], ${items.map((i) => i.event.deliveryContext?.isRedelivery ?? false)}::bool[],
        ${items.map((i) => JSON.stringify(i.event))}::text[]) as v(b, e, t, u, o, r, p)
      on conflict (bot_id, webhook_event_id) do nothing`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Claims up to `limit` due events, oldest first, for `leaseSeconds`. */
  async claim(limit: number, leaseSeconds = 60): Promise<StoredEvent[]> {
    const rows = await sql<Selectable<LineEventsTable>>`
      update line_events set state = 'processing', attempts = attempts + 1,
        locked_until = now() + make_interval(secs => ${leaseSeconds})
      where (bot_id, webhook_event_id) in (
        select bot_id, webhook_event_id from line_events
        where run_after <= now()
          and (state = 'pending' or (state = 'processing' and locked_until < now()))
        order by occurred_at, seq
        limit ${limit}
        for update skip locked)
      returning *`.execute(this.db);
    return rows.rows
      .map((row) => ({
        botId: row.bot_id,
        webhookEventId: row.webhook_event_id,
        type: row.type,
        payload: (typeof row.payload === 'string'
          ? JSON.parse(row.payload)
          : row.payload) as WebhookEvent,
        attempts: row.attempts,
        seq: BigInt(row.seq),
      }))
      .sort(
        (a, b) =>
          a.payload.timestamp - b.payload.timestamp || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0),
      );
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
