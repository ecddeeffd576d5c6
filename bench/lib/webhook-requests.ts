import { createHmac } from 'node:crypto';
import type { createFakeLine } from '../../test/fakes/line.ts';

/**
 * bench/webhook's requests, built and signed before the clock starts (signing them during the run
 * would load the load generator), with what each should leave behind for the exactly-once check.
 */
export interface BuiltRequest {
  body: string;
  headers: Record<string, string>;
  events: number;
  messageIds: string[];
  eventIds: string[];
}

export function buildRequests(
  line: ReturnType<typeof createFakeLine>,
  users: string[],
  channel: { channelSecret: string; botUserId: string },
  count: number,
): BuiltRequest[] {
  const out: BuiltRequest[] = [];
  let u = 0;
  for (let i = 0; i < count; i++) {
    const n = 1 + (i % 5);
    const events = [];
    const messageIds: string[] = [];
    for (let k = 0; k < n; k++) {
      const userId = users[u++ % users.length]!;
      const kind = (i + k) % 10;
      if (kind === 0) events.push(line.events.follow(userId));
      else if (kind <= 7) {
        const event = line.events.message.text(userId, `注文の確認をお願いします #${i}-${k}`);
        messageIds.push(event.message.id);
        events.push(event);
      } else events.push(line.events.postback(userId, `menu:orders&n=${i}`));
    }
    const body = JSON.stringify({ destination: channel.botUserId, events });
    const signature = createHmac('sha256', channel.channelSecret).update(body).digest('base64');
    out.push({
      body,
      headers: { 'content-type': 'application/json', 'x-line-signature': signature },
      events: n,
      messageIds,
      eventIds: events.map((e) => e.webhookEventId),
    });
  }
  return out;
}

/**
 * How many events and messages each prebuilt request carries, for the exactly-once check: counts
 * are enough, because every event and message id is unique (checked here, once).
 */
export function expectations(built: BuiltRequest[]) {
  const events = Uint8Array.from(built, (r) => r.events);
  const messages = Uint8Array.from(built, (r) => r.messageIds.length);
  const unique = (ids: string[][]) => new Set(ids.flat()).size === ids.flat().length;
  if (!unique(built.map((r) => r.eventIds)) || !unique(built.map((r) => r.messageIds)))
    throw new Error('prebuilt requests repeat an event or message id');
  const sum = (of: Uint8Array, from: number, to: number) =>
    of.subarray(from, to).reduce((n, k) => n + k, 0);
  return {
    count: built.length,
    /** Events in requests [from, to). */
    events: (from: number, to: number) => sum(events, from, to),
    messages: (from: number, to: number) => sum(messages, from, to),
  };
}
