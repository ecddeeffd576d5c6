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

/**
 * Samples, until stopped, whether PostgreSQL's checkpointer is writing a checkpoint; `stop()`
 * gives the share of samples in which it was. A checkpoint's paced writes share the disk with the
 * acknowledgements' WAL flushes, and whether one overlaps the sustained phase depends on how much
 * WAL earlier runs left since the last one (about one checkpoint per full-scale run): much of the
 * run-to-run spread of the acknowledgement tail.
 */
export function sampleCheckpointer(db: pg.Client, everyMs = 250) {
  let running = true;
  let samples = 0;
  let writing = 0;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query<{ wait: string | null }>(
        `select wait_event as wait from pg_stat_activity where backend_type = 'checkpointer'`,
      );
      samples += 1;
      // Idle, it waits in its main loop; anything else is a checkpoint in progress.
      if (rows[0] && rows[0].wait !== 'CheckpointerMain') writing += 1;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop(): Promise<number> {
      running = false;
      await loop;
      return samples === 0 ? 0 : writing / samples;
    },
  };
}
