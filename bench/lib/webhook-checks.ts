import type pg from 'pg';

// The checks bench/webhook runs against the database: everything processed, exactly once.

/** Waits until the inbox is empty and no event is pending or processing. */
export async function waitProcessed(db: pg.Client, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    // Existence through the indexes the worker itself reads, not counts: counting scanned both
    // tables every 25 ms (in parallel workers), and took from the drain the CPU it measures.
    const { rows } = await db.query<{ busy: boolean }>(
      `select exists (select 1 from line_inbox order by id limit 1)
           or exists (select 1 from line_events where state in ('pending','processing')) as busy`,
    );
    if (!rows[0]!.busy) return;
    if (Date.now() - started > timeoutMs) throw new Error('events were not processed in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Everything sent was stored and processed exactly once: one event row and one message each. */
export async function verify(db: pg.Client, expectedEvents: number, expectedMessages: number) {
  const states = await db.query<{ state: string; n: string }>(
    `select state, count(*) as n from line_events group by state`,
  );
  const byState = Object.fromEntries(states.rows.map((r) => [r.state, Number(r.n)]));
  const { rows } = await db.query<{ n: string; distinct_ids: string }>(
    `select count(*) as n, count(distinct line_message_id) as distinct_ids from messages`,
  );
  const messages = Number(rows[0]!.n);
  const duplicates = messages - Number(rows[0]!.distinct_ids);
  const exact =
    (byState.done ?? 0) === expectedEvents &&
    messages === expectedMessages &&
    duplicates === 0 &&
    !byState.failed;
  if (!exact)
    console.log(
      `webhook: states ${JSON.stringify(byState)}, messages ${messages}/${expectedMessages}, duplicates ${duplicates}`,
    );
  return { exact };
}
