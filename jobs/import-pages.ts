import type { Page } from '../carts/connector.ts';

/**
 * Pages as the import commits them. Consecutive small pages of a cart (ecforce lists 100 records a
 * request) are joined up to `min` records, so a commit, its cursor and the linking that follows
 * are paid per thousand records rather than per hundred; the joined page carries the last one's
 * cursor, so resuming stays exact. A page without records is a checkpoint the connector wants
 * stored now (a bulk export just started) and is handed out at once. When the cart fails, what
 * was joined is handed out before the error: no page already read is lost to a retry.
 */
export async function* joinPages<T>(
  source: AsyncIterable<Page<T>>,
  min: number,
): AsyncIterable<Page<T>> {
  let joined: Page<T> | null = null;
  try {
    for await (const page of source) {
      if (page.items.length === 0 && page.skipped.length === 0) {
        if (joined) yield joined;
        joined = null;
        yield page;
        continue;
      }
      joined = joined
        ? {
            items: joined.items.concat(page.items),
            skipped: joined.skipped.concat(page.skipped),
            cursor: page.cursor,
          }
        : page;
      if (joined.items.length + joined.skipped.length >= min) {
        yield joined;
        joined = null;
      } else await macrotask();
    }
  } catch (error) {
    if (joined) yield joined;
    throw error;
  }
  if (joined) yield joined;
}

/**
 * Lets the event loop run. A cart's pages often arrive faster than they are parsed (a bulk file
 * downloads ahead in the stream's buffer), and reading them then chains microtasks only: without
 * this, the database's answers to the page being committed would wait until the next page is
 * read, and reading ahead would not overlap the commit at all.
 */
const macrotask = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * Reads one page ahead: the cart is fetched and parsed while the page before commits, so the
 * import waits for the slower of the two rather than for both in turn.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  const ahead = () => {
    const next = it.next();
    // Handled when awaited below; until then a failure must not count as unhandled.
    next.catch(() => {});
    return next;
  };
  let next = ahead();
  let done = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        done = true;
        return;
      }
      next = ahead();
      yield r.value;
    }
  } finally {
    // Stopped early (the page's commit failed): close the source once its read settles.
    if (!done)
      void next.then(
        () => it.return?.(),
        () => {},
      );
  }
}
