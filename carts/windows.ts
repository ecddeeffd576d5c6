// Period searches whose answers are capped (makeshop: 100 orders a call; 楽楽リピート: 500
// results a search) and whose order inside an answer is not documented: a window that may have
// been cut is split in two until each fits one answer, and each answer is sorted here by
// (time, id), so that a cursor (the last record passed) is exact and a resumed sync neither skips
// nor repeats. Windows are whole seconds, both ends inclusive.
import { z } from 'zod';
import { CartError, type SkippedRecord } from './connector.ts';

export const SECOND = 1000;

/** The last record passed: its time (ms) and id; `id: null` means all of second `t` was passed. */
export interface Position {
  t: number;
  id: string | null;
}

export interface WindowAnswer<R> {
  records: R[];
  skipped: SkippedRecord[];
  /** The cart may have left records out (the cap was reached): the window must be split. */
  full: boolean;
}

export interface Leaf<R> {
  records: R[];
  skipped: SkippedRecord[];
}

export interface ScanOptions<R> {
  from: Position | null;
  /** The oldest time asked for, when there is no cursor. */
  floor: number;
  until: number;
  search(start: number, end: number): Promise<WindowAnswer<R>>;
  at(record: R): number;
  id(record: R): string;
  /** What to say when one second holds more than an answer (nothing can split it further). */
  crowded(start: number): string;
}

const passed = (t: number, id: string, p: Position | null) =>
  p !== null && (t < p.t || (t === p.t && (p.id === null || id <= p.id)));

/** Records after `from` up to `until`, a leaf window at a time, oldest first. */
export async function* scanWindows<R>(o: ScanOptions<R>): AsyncGenerator<Leaf<R>> {
  const start = Math.max(o.from?.t ?? o.floor, o.floor);
  if (start > o.until) return;
  async function* split(s: number, e: number): AsyncGenerator<Leaf<R>> {
    const answer = await o.search(s, e);
    if (answer.full && e > s) {
      const mid = s + Math.floor((e - s) / 2 / SECOND) * SECOND;
      yield* split(s, mid);
      yield* split(mid + SECOND, e);
      return;
    }
    const skipped = [...answer.skipped];
    if (answer.full) skipped.push({ externalId: null, reason: o.crowded(s) });
    const records = answer.records
      .filter((r) => !passed(o.at(r), o.id(r), o.from))
      .sort((x, y) => o.at(x) - o.at(y) || (o.id(x) < o.id(y) ? -1 : o.id(x) > o.id(y) ? 1 : 0));
    if (records.length > 0 || skipped.length > 0) yield { records, skipped };
  }
  yield* split(start, o.until);
}

export const positionSchema = z.object({ t: z.number().int(), id: z.string().nullable() });

export function encodePosition(p: Position | null): string {
  return JSON.stringify(p);
}

/** Reads a cursor this module wrote; anything else is an error, not a silent restart. */
export function decodePosition(cursor: string | null, cart: string): Position | null {
  if (cursor === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(cursor);
  } catch {
    value = undefined;
  }
  if (value === null) return null;
  const parsed = positionSchema.safeParse(value);
  if (!parsed.success) throw new CartError('malformed', `${cart} cursor not understood: ${cursor}`);
  return parsed.data;
}

/** Where a scan stands after a leaf: its last record, or unchanged when it had none. */
export function after<R>(leaf: Leaf<R>, at: Position | null, o: Pick<ScanOptions<R>, 'at' | 'id'>) {
  const last = leaf.records.at(-1);
  return last ? { t: o.at(last), id: o.id(last) } : at;
}
