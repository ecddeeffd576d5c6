import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/logger.ts';
import { InboxReclaimer } from './inbox-reclaimer.ts';

type Outcome = 'truncated' | 'waiting' | 'set_aside' | 'busy' | Error;

/** An inbox whose truncate attempts answer `script` in turn; it counts truncates and vacuums. */
function inboxAnswering(script: Outcome[]) {
  const calls = { truncates: 0, vacuums: 0 };
  return {
    calls,
    truncateIfEmpty() {
      const next = script[calls.truncates++] ?? 'waiting';
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    vacuum() {
      calls.vacuums += 1;
      return Promise.resolve();
    },
  };
}

function reclaimer(script: Outcome[], attempts = 3) {
  const inbox = inboxAnswering(script);
  const logs: string[] = [];
  const r = new InboxReclaimer(inbox, {
    after: 10,
    paced: true,
    attempts,
    logger: createLogger('debug', (line) => logs.push(line)),
  });
  return { r, calls: inbox.calls, logs };
}

describe('InboxReclaimer', () => {
  it('does nothing until a backlog of `after` bodies has been taken', async () => {
    const { r, calls } = reclaimer(['truncated']);
    r.taken(9);
    await r.caughtUp();
    expect(r.due).toBe(false);
    expect(calls).toEqual({ truncates: 0, vacuums: 0 });
    r.taken(1);
    expect(r.due).toBe(true);
    await r.caughtUp();
    expect(calls).toEqual({ truncates: 1, vacuums: 0 });
    expect(r.due).toBe(false); // counted afresh from here
  });

  it('tries again after each catch-up while busy or waiting, then vacuums once', async () => {
    const { r, calls } = reclaimer(['busy', 'waiting', 'busy', 'truncated'], 3);
    r.taken(10);
    for (let i = 0; i < 5; i++) await r.caughtUp();
    await r.settled();
    expect(calls).toEqual({ truncates: 3, vacuums: 1 });
    expect(r.due).toBe(false);
  });

  it('vacuums at once when a body set aside holds the inbox', async () => {
    const { r, calls } = reclaimer(['set_aside']);
    r.taken(10);
    await r.caughtUp();
    await r.settled();
    expect(calls).toEqual({ truncates: 1, vacuums: 1 });
  });

  it('vacuums, with a warning, when the database refuses the truncate', async () => {
    const { r, calls, logs } = reclaimer([new Error('permission denied for table line_inbox')]);
    r.taken(10);
    await r.caughtUp();
    await r.settled();
    expect(calls).toEqual({ truncates: 1, vacuums: 1 });
    expect(logs.join('\n')).toContain('permission denied');
    // The next backlog tries the truncate again.
    r.taken(10);
    await r.caughtUp();
    expect(calls.truncates).toBe(2);
  });

  it('makes one try at a time when loops catch up together', async () => {
    const { r, calls } = reclaimer(['truncated']);
    r.taken(10);
    await Promise.all([r.caughtUp(), r.caughtUp(), r.caughtUp()]);
    expect(calls.truncates).toBe(1);
  });
});
