import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { preparedName } from './prepared.ts';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';

/** Where the data lives: the embedded PGlite (a directory, or `memory://`) or a PostgreSQL server. */
export type DbTarget =
  | { kind: 'pglite'; dataDir: string }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /**
       * Runs the statements marked in prepared.ts as named prepared statements (the Node server;
       * a pooler in between must keep them, as PgBouncer does from 1.21 with
       * max_prepared_statements set).
       */
      prepare?: boolean;
    };

/** The underlying driver handle, for the few libraries (the job queue) that need their own adapter. */
export type DbDriver = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; pool: pg.Pool };

export interface Db {
  kysely: Kysely<Database>;
  driver: DbDriver;
  /** Round-trips a trivial query; resolves to the latency in milliseconds. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

/** The one place that picks the database dialect. */
export async function createDb(target: DbTarget): Promise<Db> {
  switch (target.kind) {
    case 'pglite':
      return createPgliteDb(target.dataDir);
    case 'postgres':
      return createPostgresDb(target.url, target.poolSize ?? 16, target.prepare ?? false);
    default: {
      const unknown: never = target;
      throw new Error(`unknown database target ${JSON.stringify(unknown)}`);
    }
  }
}

async function createPgliteDb(dataDir: string): Promise<Db> {
  // Imported only when used, so PostgreSQL deployments never load the WASM build; the Workers
  // bundle aliases the module away (wrangler.toml), since Workers always use Hyperdrive.
  const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
  const pglite = await PGliteClass.create(dataDir);
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  let closed: Promise<void> | undefined;
  return wrap(kysely, { kind: 'pglite', pglite }, () => {
    // PGlite checkpoints and syncs its files on close; closing twice must be harmless because
    // shutdown paths can race (a second signal, a failing start).
    closed ??= pglite.closed ? Promise.resolve() : pglite.close();
    return closed;
  });
}

async function createPostgresDb(url: string, poolSize: number, prepare: boolean): Promise<Db> {
  // Idle connections are kept for 5 minutes rather than pg's 10 seconds: after a quiet spell (a
  // worker draining a burst, a shop at night), the next webhook would otherwise wait for a new
  // connection and a cold backend, tens of milliseconds under load.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 300_000,
    ...(prepare ? { Client: PreparingClient } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | undefined;
  return wrap(kysely, { kind: 'postgres', pool }, () => {
    closed ??= kysely.destroy();
    return closed;
  });
}

/**
 * pg's client, running the statements marked in prepared.ts as named prepared statements. Kysely
 * sends every query as `query(text, values)`; a marked text gets its name there.
 */
class PreparingClient extends pg.Client {
  // One signature over pg's overloads (typed `never` to fit them all); returns what pg returns.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' ? preparedName(text) : undefined;
    const query = super.query as (...a: unknown[]) => never;
    return name ? query.call(this, { name, text, values }) : query.apply(this, args);
  }
}

function wrap(kysely: Kysely<Database>, driver: DbDriver, close: () => Promise<void>): Db {
  return {
    kysely,
    driver,
    async ping() {
      const started = performance.now();
      await sql`select 1`.execute(kysely);
      return performance.now() - started;
    },
    close,
  };
}
