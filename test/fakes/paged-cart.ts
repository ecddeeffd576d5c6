// The machinery of a fake cart whose REST lists are read by update time a page at a time (the fake
// リピスト and サブスクストア): auth check, faults on demand (bad credentials, 429, 5xx, hang, one
// malformed record), a request log, the API's request rules recorded as violations (page size,
// sort, and, when the fake is given the client's clock, requests closer than the minimum
// interval), records sorted by (updated-at, id). Each fake supplies its wire: paths, parameter
// names, envelope and record shapes.
import { Hono, type Context } from 'hono';
import { createHangs } from './hang.ts';
import { listenApp } from './listen.ts';

export type PagedFault =
  'bad_credentials' | 'rate_limit' | 'server_error' | 'timeout' | 'malformed_record';

export interface PagedRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface Row {
  id: number;
  updatedAt: Date;
}

/** How one fake cart reads its requests and writes its answers. */
export interface PagedWire {
  authorized(headers: Headers): boolean;
  refused(c: Context): Response;
  /** The page a query asks for, or a refusal message (a request rule broken). */
  query(q: Record<string, string>): { from: number; offset: number; limit: number } | string;
  envelope(records: unknown[], total: number, offset: number, limit: number): unknown;
  /** Spoils one rendered record so the connector cannot read it (its id and updated-at kept). */
  spoil(record: Record<string, unknown>): void;
  /** Least ms between two requests the real cart accepts (checked only with a clock). */
  minIntervalMs: number;
}

export interface PagedFake {
  app: Hono;
  listen(port?: number): Promise<{ url: string; close(): Promise<void> }>;
  requests: PagedRequest[];
  violations: string[];
  inject(kind: PagedFault, times?: number): void;
}

export function createPagedFake(
  wire: PagedWire,
  lists: Record<
    string,
    { rows: () => Iterable<Row>; render: (row: Row) => Record<string, unknown> }
  >,
  clock?: () => number,
): PagedFake {
  const app = new Hono();
  const requests: PagedRequest[] = [];
  const violations: string[] = [];
  const faults: Array<{ kind: PagedFault; left: number }> = [];
  const hangs = createHangs();
  let lastAt: number | null = null;

  function takeFault(list: boolean): PagedFault | undefined {
    const i = faults.findIndex((f) => f.kind !== 'malformed_record' || list);
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (--f.left <= 0) faults.splice(i, 1);
    return f.kind;
  }

  for (const [path, list] of Object.entries(lists)) {
    app.get(path, async (c) => {
      const url = new URL(c.req.url);
      const query = Object.fromEntries(url.searchParams);
      const log = (status: number) => requests.push({ path: url.pathname, query, status });
      if (clock) {
        const now = clock();
        if (lastAt !== null && now - lastAt < wire.minIntervalMs)
          violations.push(`${url.pathname}: ${now - lastAt} ms after the previous request`);
        lastAt = now;
      }
      const fault = takeFault(false);
      switch (fault) {
        case undefined:
        case 'malformed_record':
          break;
        case 'bad_credentials':
          log(401);
          return wire.refused(c);
        case 'rate_limit':
          log(429);
          c.header('Retry-After', '2');
          return c.json({ error: 'Too Many Requests' }, 429);
        case 'server_error':
          log(503);
          return c.text('Service Unavailable', 503);
        case 'timeout':
          log(0);
          await hangs.hang(Number.POSITIVE_INFINITY);
          return c.text('late', 504);
        default: {
          const never: never = fault;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
      if (!wire.authorized(c.req.raw.headers)) {
        log(401);
        return wire.refused(c);
      }
      const q = wire.query(query);
      if (typeof q === 'string') {
        violations.push(`${url.pathname}: ${q}`);
        log(400);
        return c.json({ error: q }, 400);
      }
      const all = [...list.rows()]
        .filter((r) => r.updatedAt.getTime() >= q.from)
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.id - b.id);
      const records = all.slice(q.offset, q.offset + q.limit).map(list.render);
      if (records.length > 0 && takeFault(true) === 'malformed_record') wire.spoil(records[0]!);
      log(200);
      return c.json(wire.envelope(records, all.length, q.offset, q.limit) as object);
    });
  }
  app.all('*', (c) => {
    const url = new URL(c.req.url);
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status: 404 });
    return c.html('<h1>404 Not Found</h1>', 404);
  });

  return {
    app,
    listen: (port = 0) => listenApp(app, port, () => hangs.release()),
    requests,
    violations,
    inject(kind, times = 1) {
      faults.push({ kind, left: times });
    },
  };
}

/** Moves rows' updated-at to one new second after every other row's (as a bulk edit does). */
export function touchRows<T extends Row>(rows: Map<number, T>, ids: number[]): void {
  let latest = 0;
  for (const r of rows.values()) latest = Math.max(latest, r.updatedAt.getTime());
  const at = new Date(latest + 60_000);
  for (const id of ids) {
    const r = rows.get(id);
    if (!r) throw new Error(`no row ${id}`);
    rows.set(id, { ...r, updatedAt: at });
  }
}
