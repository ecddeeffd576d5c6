import { describe, expect, it } from 'vitest';
import type { InboxBody as StoredBody } from '../db/line-inbox.ts';
import { InboxWriter } from './inbox-writer.ts';

/** A repository that records each statement and refuses any that holds a body marked "bad". */
function recordingRepository(options: { hold?: Promise<void> } = {}) {
  const statements: string[][] = [];
  const repository = {
    async append(bodies: StoredBody[]) {
      await options.hold;
      const texts = bodies.map((b) => new TextDecoder().decode(b.body));
      statements.push(texts);
      if (texts.includes('bad')) throw new Error('refused');
    },
  };
  return { repository, statements };
}

const request = (body: string, events: number) => ({
  botId: 'b',
  body: new TextEncoder().encode(body),
  events,
});

/** Lets the writer start the statements it has scheduled. */
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('InboxWriter', () => {
  it('writes the requests that arrive in one turn of the event loop in one statement', async () => {
    const { repository, statements } = recordingRepository();
    const writer = new InboxWriter(repository);
    await Promise.all(['a', 'b', 'c'].map((body) => writer.store(request(body, 1))));
    expect(statements).toEqual([['a', 'b', 'c']]);
  });

  it('writes requests that arrive during a write together in the next statement', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { repository, statements } = recordingRepository({ hold });
    const writer = new InboxWriter(repository, { maxInFlight: 1 });
    const first = writer.store(request('a', 1));
    await nextTurn();
    const rest = ['b', 'c', 'd'].map((body) => writer.store(request(body, 2)));
    release();
    await Promise.all([first, ...rest]);
    expect(statements).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('fails only the request the database refuses, not those sharing its statement', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { repository, statements } = recordingRepository({ hold });
    const writer = new InboxWriter(repository, { maxInFlight: 1 });
    const first = writer.store(request('a', 1));
    await nextTurn();
    const outcomes = Promise.allSettled(
      ['x', 'bad', 'y'].map((body) => writer.store(request(body, 1))),
    );
    release();
    await first;
    expect((await outcomes).map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(statements).toContainEqual(['x']);
    expect(statements).toContainEqual(['y']);
  });

  it('never puts more than maxBatchEvents in one statement, unless one request alone is larger', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { repository, statements } = recordingRepository({ hold });
    const writer = new InboxWriter(repository, { maxInFlight: 1, maxBatchEvents: 5 });
    const first = writer.store(request('first', 1));
    await nextTurn();
    const all = [first, ...[3, 2, 9, 1].map((events, i) => writer.store(request(`r${i}`, events)))];
    release();
    await Promise.all(all);
    expect(statements).toEqual([['first'], ['r0', 'r1'], ['r2'], ['r3']]);
  });

  it('never puts more than maxBatchBytes in one statement, unless one request alone is larger', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { repository, statements } = recordingRepository({ hold });
    const writer = new InboxWriter(repository, { maxInFlight: 1, maxBatchBytes: 10 });
    const first = writer.store(request('first', 1));
    await nextTurn();
    const all = [
      first,
      ...['aaaa', 'bbbbbb', 'c'.repeat(20), 'd'].map((body) => writer.store(request(body, 1))),
    ];
    release();
    await Promise.all(all);
    expect(statements).toEqual([['first'], ['aaaa', 'bbbbbb'], ['c'.repeat(20)], ['d']]);
  });

  it('answers a request with no events at once, without a statement', async () => {
    const { repository, statements } = recordingRepository();
    await new InboxWriter(repository).store(request('{"events":[]}', 0));
    expect(statements).toEqual([]);
  });
});
