import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookEvent } from '../crm/line-events.ts';
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
   * Stores the events of whole webhook bodies; returns how many were new. Many requests go in one
   * statement as a single JSON parameter built from the bodies' own bytes (no per-event
   * re-serialisation or array escaping in Node): PostgreSQL splits out the events and their keys,
   * in arrival order, so `seq` keeps LINE's order within a body and the requests' order across them.
   */
  async insert(bodies: Array<{ botId: string; body: string }>): Promise<number> {
    if (bodies.length === 0) return 0;
    const param = `[${bodies.map((b) => `{"b":${JSON.stringify(b.botId)},"r":${b.body}}`).join(',')}]`;
    const result = await sql`
      insert into line_events (bot_id, webhook_event_id, type, line_user_id, occurred_at, is_redelivery, payload)
      select q.req->>'b', x.e->>'webhookEventId', x.e->>'type',
        case when x.e->'source'->>'type' = 'user' then x.e->'source'->>'userId' end,
        to_timestamp((x.e->>'timestamp')::float8 / 1000.0),
        coalesce((x.e->'deliveryContext'->>'isRedelivery')::boolean, false), x.e
      from jsonb_array_elements(${param}::jsonb) with ordinality as q(req, i)
        cross join lateral jsonb_array_elements(q.req->'r'->'events') with ordinality as x(e, j)
      order by q.i, x.j
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
