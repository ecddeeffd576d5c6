import { describe, expect, it } from 'vitest';
import type { Page } from '../carts/connector.ts';
import { joinPages, readAhead } from './import-pages.ts';

const page = (items: number[], cursor: string): Page<number> => ({ items, skipped: [], cursor });

async function* cart(pages: Page<number>[], failAfter?: number): AsyncIterable<Page<number>> {
  for (const [i, p] of pages.entries()) {
    if (i === failAfter) throw new Error('HTTP 503');
    yield p;
  }
}

async function collect<T>(xs: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of xs) out.push(x);
  return out;
}

describe('import pages', () => {
  it('joins small pages up to the minimum, keeping the last cursor', async () => {
    const pages = [page([1, 2], 'a'), page([3, 4], 'b'), page([5], 'c'), page([6, 7, 8], 'd')];
    expect(await collect(joinPages(cart(pages), 4))).toEqual([
      page([1, 2, 3, 4], 'b'),
      page([5, 6, 7, 8], 'd'),
    ]);
  });

  it('hands out a page without records at once: a checkpoint', async () => {
    const pages = [page([1], 'a'), page([], 'export started'), page([2], 'b')];
    expect(await collect(joinPages(cart(pages), 10))).toEqual(pages);
  });

  it('hands out what it joined before the cart fails', async () => {
    const got: Page<number>[] = [];
    const run = async () => {
      for await (const p of joinPages(
        cart([page([1], 'a'), page([2], 'b'), page([3], 'c')], 2),
        10,
      ))
        got.push(p);
    };
    await expect(run()).rejects.toThrow('HTTP 503');
    expect(got).toEqual([page([1, 2], 'b')]);
  });

  it('lets the event loop run while it joins pages already at hand', async () => {
    // The database's answers to the commit under way are macrotasks: they must not wait until a
    // whole joined page of downloaded records has been read (see macrotask in import-pages.ts).
    let answered = false;
    setImmediate(() => {
      answered = true;
    });
    const pages = Array.from({ length: 8 }, (_, i) => page([i], String(i)));
    const first = await joinPages(cart(pages), 8)[Symbol.asyncIterator]().next();
    expect(first.value).toEqual(page([0, 1, 2, 3, 4, 5, 6, 7], '7'));
    expect(answered).toBe(true);
  });

  it('reads the next page while the last one is handled, in order', async () => {
    const read: number[] = [];
    async function* slow(): AsyncIterable<number> {
      for (let i = 0; i < 4; i++) {
        read.push(i);
        yield i;
      }
    }
    const seen: Array<[number, number[]]> = [];
    for await (const x of readAhead(slow())) {
      await new Promise((r) => setTimeout(r, 5));
      seen.push([x, [...read]]);
    }
    expect(seen.map(([x]) => x)).toEqual([0, 1, 2, 3]);
    // While 0 was handled, 1 had already been read.
    expect(seen[0]![1]).toEqual([0, 1]);
  });

  it('passes a failure of the read ahead on when it is reached, and stops early cleanly', async () => {
    const got: number[] = [];
    async function* failing(): AsyncIterable<number> {
      yield 1;
      throw new Error('broken');
    }
    await expect(
      (async () => {
        for await (const x of readAhead(failing())) got.push(x);
      })(),
    ).rejects.toThrow('broken');
    expect(got).toEqual([1]);
    for await (const x of readAhead(cart([page([1], 'a'), page([2], 'b')]))) {
      expect(x.cursor).toBe('a');
      break;
    }
  });
});
