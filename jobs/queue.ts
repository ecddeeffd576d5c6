import {
  PgBoss,
  fromKysely,
  fromPglite,
  type ConstructorOptions,
  type Job,
  type JobResult,
} from 'pg-boss';
import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/index.ts';
import type { Logger } from '../server/logger.ts';
import {
  InvalidJobPayloadError,
  PermanentJobError,
  type AnyJobDefinition,
  type JobDefinition,
} from './job.ts';

export interface JobQueueOptions {
  db: Db;
  definitions: AnyJobDefinition[];
  logger: Logger;
  /** PostgreSQL schema of the queue's tables (tests isolate themselves with their own). */
  schema?: string;
  /** Shop time zone for cron schedules. */
  timeZone?: string;
  /**
   * A short-lived invocation (a Workers Cron Trigger): it neither installs nor maintains the queue
   * schema, runs no cron clock, and does not register itself as a long-running instance.
   */
  ephemeral?: boolean;
}

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists if and only if the transaction commits. */
  trx?: Kysely<Database>;
  startAfter?: Date;
  /** At most one queued job per key (e.g. one import per connection at a time). */
  singletonKey?: string;
}

function createBoss(db: Db, options: ConstructorOptions): PgBoss {
  switch (db.driver.kind) {
    case 'pglite':
      return new PgBoss({ ...options, db: fromPglite(db.driver.pglite), backend: 'pglite' });
    case 'postgres': {
      // Our own pool, so the queue shares the process's connection budget.
      const pool = db.driver.pool;
      return new PgBoss({
        ...options,
        db: { executeSql: (text, values) => pool.query(text, values) },
      });
    }
    default: {
      const unknown: never = db.driver;
      throw new Error(`unknown driver ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Kizuna's job queue: pg-boss on the same database as the data (PGlite or PostgreSQL). Claims use
 * `FOR UPDATE SKIP LOCKED`, so any number of processes share the work. We wrap it so the rest of the
 * code speaks in typed job definitions and never in queue names and untyped JSON.
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly byName: Map<string, AnyJobDefinition>;
  private readonly stopping = new AbortController();
  private started = false;

  constructor(private readonly options: JobQueueOptions) {
    const { db } = options;
    const maintain = !options.ephemeral;
    const common = {
      schema: options.schema ?? 'pgboss',
      supervise: maintain,
      migrate: maintain,
      schedule: maintain,
      registerInstance: maintain,
    };
    this.boss = createBoss(db, common);
    this.boss.on('error', (error: Error) => options.logger.error('job queue error', { error }));
    this.byName = new Map(options.definitions.map((d) => [d.name, d]));
  }

  /** Installs or upgrades the queue schema (when maintaining), creates queues and schedules. */
  async start(): Promise<void> {
    await this.boss.start();
    this.started = true;
    const existing = new Set((await this.boss.getQueues()).map((q) => q.name));
    for (const definition of this.options.definitions) {
      if (!existing.has(definition.name)) {
        await this.boss.createQueue(definition.name, {
          retryLimit: definition.retryLimit ?? 5,
          retryDelay: definition.retryDelaySeconds ?? 5,
          retryBackoff: true,
          expireInSeconds: definition.expireInSeconds ?? 900,
        });
      }
      if (definition.schedule && !this.options.ephemeral) {
        await this.boss.schedule(
          definition.name,
          definition.schedule.cron,
          definition.schedule.payload as object,
          {
            tz: this.options.timeZone ?? 'Asia/Tokyo',
          },
        );
      }
    }
  }

  async send<P>(
    definition: JobDefinition<P>,
    payload: P,
    options: SendOptions = {},
  ): Promise<string | null> {
    const data = this.parse(definition, payload);
    return this.boss.send(definition.name, data as object, {
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.trx ? { db: fromKysely(options.trx as never) } : {}),
    });
  }

  /** Enqueues many jobs of one kind in one statement. */
  async sendMany<P>(
    definition: JobDefinition<P>,
    payloads: P[],
    options: Pick<SendOptions, 'trx'> = {},
  ): Promise<void> {
    if (payloads.length === 0) return;
    const jobs = payloads.map((p) => ({ data: this.parse(definition, p) as object }));
    await this.boss.insert(
      definition.name,
      jobs,
      options.trx ? { db: fromKysely(options.trx as never) } : {},
    );
  }

  /** Starts claiming and running jobs in this process until `stop()`. */
  async work(): Promise<void> {
    for (const definition of this.options.definitions) {
      await this.boss.work(
        definition.name,
        {
          batchSize: definition.batchSize ?? 20,
          localConcurrency: definition.concurrency ?? 2,
          // Every poll is a query planned and run by the database, twice a second per loop: for
          // work that comes from a cron slot (a minute apart at best, and enqueued by pg-boss's cron
          // worker, which itself looks every 5 s) five seconds more cost nothing and save nearly half
          // of the queries an idle worker makes.
          pollingIntervalSeconds: definition.schedule ? 5 : 0.5,
          burstWhenBatchFull: true,
          perJobResults: true,
        },
        (jobs) => this.runBatch(definition, jobs),
      );
    }
  }

  /**
   * Claims and runs up to `limit` due jobs once, then returns how many ran. For runtimes without a
   * long-lived process (Workers' Cron Triggers) and for tests that want to step the queue by hand.
   */
  async runDue(limit = 100): Promise<number> {
    let ran = 0;
    for (const definition of this.options.definitions) {
      while (ran < limit) {
        const jobs = await this.boss.fetch<unknown>(definition.name, {
          batchSize: Math.min(20, limit - ran),
        });
        if (jobs.length === 0) break;
        const results = await this.runBatch(definition, jobs);
        for (const result of results) {
          if (result.status === 'completed') await this.boss.complete(definition.name, result.id);
          else await this.boss.fail(definition.name, result.id, result.output as object);
        }
        ran += jobs.length;
      }
    }
    return ran;
  }

  /** Stops claiming new jobs and waits (up to `timeoutMs`) for running ones to finish. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping.abort();
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }

  /** Counts of jobs by state for one queue (for health checks and tests). */
  async stats(name: string): Promise<{ queued: number; active: number; total: number }> {
    const queue = await this.boss.getQueue(name);
    return {
      queued: queue?.queuedCount ?? 0,
      active: queue?.activeCount ?? 0,
      total: queue?.totalCount ?? 0,
    };
  }

  definition(name: string): AnyJobDefinition | undefined {
    return this.byName.get(name);
  }

  private parse<P>(definition: JobDefinition<P>, payload: unknown): P {
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      throw new InvalidJobPayloadError(definition.name, parsed.error.message);
    }
    return parsed.data;
  }

  /** Runs each job on its own so one failure never fails (and re-runs) its batch-mates. */
  private async runBatch(definition: AnyJobDefinition, jobs: Job<unknown>[]): Promise<JobResult[]> {
    const results: JobResult[] = [];
    for (const job of jobs) {
      try {
        const payload = this.parse(definition, job.data);
        await definition.handle(payload, { jobId: job.id, signal: this.stopping.signal });
        results.push({ id: job.id, status: 'completed' });
      } catch (error) {
        const permanent =
          error instanceof InvalidJobPayloadError || error instanceof PermanentJobError;
        this.options.logger.warn('job failed', {
          job: definition.name,
          id: job.id,
          permanent,
          error,
        });
        results.push({
          id: job.id,
          status: permanent ? 'deadletter' : 'failed',
          output: { message: error instanceof Error ? error.message : String(error) },
        });
      }
    }
    return results;
  }
}
