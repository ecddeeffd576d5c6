import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../db/line-events.ts';
import { waves } from './wave.ts';

let seq = 0n;
function ev(botId: string, type: string, userId?: string): StoredEvent {
  seq += 1n;
  const id = `e${seq}`;
  return {
    botId,
    webhookEventId: id,
    type,
    attempts: 1,
    seq,
    payload: {
      type,
      webhookEventId: id,
      timestamp: Number(seq),
      ...(userId ? { source: { type: 'user', userId } } : {}),
    },
  };
}
const ids = (w: StoredEvent[][]) => w.map((wave) => wave.map((e) => e.webhookEventId));

describe('waves', () => {
  it('puts different users side by side and one user’s steps in successive waves, in order', () => {
    const batch = [
      ev('b', 'follow', 'u1'),
      ev('b', 'message', 'u2'),
      ev('b', 'unfollow', 'u1'),
      ev('b', 'postback', 'u3'),
      ev('b', 'follow', 'u1'),
    ];
    expect(ids(waves(batch))).toEqual([['e1', 'e2', 'e4'], ['e3'], ['e5']]);
  });

  it('keeps a run of one user’s consecutive messages in one wave, and breaks it at other types', () => {
    const batch = [
      ev('b', 'message', 'u'),
      ev('b', 'message', 'u'),
      ev('b', 'postback', 'u'),
      ev('b', 'message', 'u'),
      ev('b', 'message', 'u'),
    ];
    expect(ids(waves(batch))).toEqual([['e6', 'e7'], ['e8'], ['e9', 'e10']]);
  });

  it('treats the same user id of two bots as two friends, and events without a user as free', () => {
    const batch = [
      ev('a', 'follow', 'u'),
      ev('b', 'follow', 'u'),
      ev('a', 'join'),
      ev('a', 'leave'),
    ];
    expect(ids(waves(batch))).toEqual([['e11', 'e12', 'e13', 'e14']]);
  });
});
