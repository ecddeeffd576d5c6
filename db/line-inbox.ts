import { CompiledQuery, sql, type Kysely } from 'kysely';
import type pg from 'pg';
import {
  inProcessingOrder,
  storedEvent,
  storedEventColumns,
  type StoredEvent,
  type StoredEventRow,
} from './line-events.ts';
import { executePrepared } from './prepared.ts';
import type { Database } from './schema.ts';

/** One acknowledged webhook request: its bot and its body's bytes, as LINE sent them. */
export interface InboxBody {
  botId: string;
  body: Uint8Array;
}

const APPEND = `
  insert into line_inbox (bot_id, body)
  select r.bot_id, substring($1::bytea from r.start for r.length)
  from unnest($2::text[], $3::int4[], $4::int4[]) with ordinality as r(bot_id, start, length, i)
  order by r.i`;

/**
 * How intake files the events it takes in: `processed` when the same transaction runs them (the
 * usual path: each event row is written once, in its final state), `pending` when they are left
 * to the claim path, which runs them one by one with retries (after a handler threw).
 */
export type IntakeMode = 'processed' | 'pending';

/**
 * The webhook inbox (see the line_inbox migration). Acknowledging appends request bodies; the
 * worker takes them, oldest first, into line_events, where each event is keyed by
 * (bot, webhookEventId) and a redelivery or concurrent duplicate is dropped.
 */
export class LineInboxRepository {
  /**
   * With a PostgreSQL pool, appends run as a named prepared statement straight on the pool: the
   * acknowledgement path then skips query building and the server's parse and plan per batch.
   * Not through executePrepared (prepared.ts) like the worker's statements: going through the
   * query builder's connection handling cost the web process 57 against 46 µs per request in the
   * webhook burst (two runs each).
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly pool?: pg.Pool,
  ) {}

  /**
   * Appends request bodies in one statement, in order. The bodies travel as one binary parameter
   * cut by offsets in the database: no text encoding, escaping or JSON parsing on either side, so
   * the acknowledgement costs little more than the durable write itself.
   */
  async append(bodies: InboxBody[]): Promise<void> {
    if (bodies.length === 0) return;
    const starts: number[] = [];
    const lengths: number[] = [];
    let at = 1; // substring() counts from 1
    for (const { body } of bodies) {
      starts.push(at);
      lengths.push(body.byteLength);
      at += body.byteLength;
    }
    const values = [
      Buffer.concat(bodies.map((b) => b.body)),
      bodies.map((b) => b.botId),
      starts,
      lengths,
    ];
    if (this.pool) await this.pool.query({ name: 'kizuna_inbox_append', text: APPEND, values });
    else await this.db.executeQuery(CompiledQuery.raw(APPEND, values));
  }

  /**
   * Takes up to `limit` bodies (or the one body `id`) into line_events, in arrival order, inside
   * `db`'s transaction: the bodies leave the inbox only if that transaction commits. Returns how
   * many bodies were taken and the events that were new (duplicates of stored events are
   * dropped), in processing order. Bodies of a bot that no longer exists are dropped.
   */
  async take(
    db: Kysely<Database>,
    limit: number,
    mode: IntakeMode,
    id?: string,
  ): Promise<{ bodies: number; events: StoredEvent[] }> {
    const processed = mode === 'processed';
    const which =
      id === undefined
        ? sql`select id from line_inbox where last_error is null order by id limit ${limit} for update skip locked`
        : sql`select id from line_inbox where id = ${id} for update`;
    // The ids are picked once, as an array (an init plan), and the rows deleted through the key.
    // As `id in (select … limit n for update skip locked)` PostgreSQL may run the subquery again for
    // every inbox row it scans (it plans so when the inbox's statistics say empty, as after its
    // vacuum), each run skipping the rows already taken: the limit window slides, and one take
    // empties the inbox, in time quadratic in its size.
    const { rows } = await executePrepared(
      db,
      sql<StoredEventRow & { taken: number }>`
      with taken as (
        delete from line_inbox where id = any(array(${which}))
        returning id, bot_id, body, received_at
      ), stored as (
        insert into line_events (bot_id, webhook_event_id, type, line_user_id, occurred_at,
          is_redelivery, payload, received_at, state, attempts, processed_at)
        select t.bot_id, x.e->>'webhookEventId', x.e->>'type',
          case when x.e->'source'->>'type' = 'user' then x.e->'source'->>'userId' end,
          to_timestamp((x.e->>'timestamp')::float8 / 1000.0),
          coalesce((x.e->'deliveryContext'->>'isRedelivery')::boolean, false), x.e, t.received_at,
          ${processed ? sql`'done', 1, now()` : sql`'pending', 0, null::timestamptz`}
        from taken t
          cross join lateral jsonb_array_elements(convert_from(t.body, 'UTF8')::jsonb -> 'events')
            with ordinality as x(e, j)
        where exists (select 1 from bots where bots.id = t.bot_id)
        order by t.id, x.j
        on conflict (bot_id, webhook_event_id) do nothing
        returning ${storedEventColumns()}
      )
      select (select count(*) from taken)::int as taken, stored.*
      from (select 1) as one left join stored on true`,
    );
    const bodies = rows[0]?.taken ?? 0;
    const events = rows.filter((r) => r.webhook_event_id !== null).map(storedEvent);
    return { bodies, events: inProcessingOrder(events) };
  }

  /**
   * Finds the oldest body intake cannot read (taking every body before it on the way) and sets it
   * aside with the database's error, so it no longer blocks the bodies behind it. For an operator
   * to inspect; LINE's events in it are not processed.
   */
  async setAsideUnreadable(limit: number): Promise<boolean> {
    const ids = await this.db
      .selectFrom('line_inbox')
      .select('id')
      .where('last_error', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    for (const { id } of ids) {
      try {
        await this.db.transaction().execute((trx) => this.take(trx, 1, 'pending', id));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await this.db
          .updateTable('line_inbox')
          .set({ last_error: message.slice(0, 2000) })
          .where('id', '=', id)
          .execute();
        return true;
      }
    }
    return false;
  }

  /**
   * Clears the dead rows intake left behind (never truncates: see the migration). On PostgreSQL it
   * is paced as autovacuum paces itself: unpaced, vacuuming a burst's dead rows took the disk and
   * the write-ahead log from the acknowledgements for a second. Never on PGlite: there a vacuum that
   * reaches its cost limit and sleeps ends in a FATAL error that stops the embedded database, and
   * with one connection there is nothing to yield to anyway.
   */
  async vacuum(paced: boolean): Promise<void> {
    if (!paced) {
      await sql`vacuum line_inbox`.execute(this.db);
      return;
    }
    await this.db.connection().execute(async (connection) => {
      await sql`set vacuum_cost_delay = '2ms'`.execute(connection);
      try {
        await sql`vacuum line_inbox`.execute(connection);
      } finally {
        await sql`reset vacuum_cost_delay`.execute(connection);
      }
    });
  }

  /**
   * Bodies waiting for intake, bodies set aside, and how long the oldest waiting one has waited
   * (0 when none): the worker's lag behind LINE.
   */
  async backlog(): Promise<{ waiting: number; setAside: number; oldestWaitingSeconds: number }> {
    const row = await this.db
      .selectFrom('line_inbox')
      .select([
        sql<string>`count(*) filter (where last_error is null)`.as('waiting'),
        sql<string>`count(*) filter (where last_error is not null)`.as('set_aside'),
        sql<number>`coalesce(extract(epoch from now() - min(received_at) filter (where last_error is null)), 0)::float8`.as(
          'oldest',
        ),
      ])
      .executeTakeFirstOrThrow();
    return {
      waiting: Number(row.waiting),
      setAside: Number(row.set_aside),
      oldestWaitingSeconds: Math.max(0, Number(row.oldest)),
    };
  }
}
