import type { z } from 'zod';

/**
 * A kind of background work. Jobs are delivered at least once (a worker that dies mid-job has its
 * job retried after `expireInSeconds`), so every handler must be idempotent: running it twice
 * leaves the same result as running it once.
 */
export interface JobDefinition<P = unknown> {
  /** Queue name; stable, because queued rows refer to it. */
  name: string;
  payload: z.ZodType<P>;
  handle(payload: P, ctx: JobContext): Promise<void>;
  /** Retries after the first failure (default 5), with exponential backoff from retryDelaySeconds. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** How long one run may take before another worker may claim it again (default 15 min). */
  expireInSeconds?: number;
  /** Jobs claimed per fetch (default 20) and fetch loops per process (default 2). */
  batchSize?: number;
  concurrency?: number;
  /** Cron schedule (pg-boss evaluates it; one run per slot across all processes). */
  schedule?: { cron: string; payload: P };
}

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
}

/**
 * A registry holds definitions of many payload types; each one's own schema types its handler,
 * so the registry itself can only say "some payload".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any>;

/** Identity function that keeps the payload type tied to the handler. */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** A payload that fails its schema is a bug in the sender; retrying cannot fix it. */
export class InvalidJobPayloadError extends Error {
  constructor(job: string, issues: string) {
    super(`invalid payload for job ${job}: ${issues}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** A failure no retry can fix (e.g. LINE refuses the token): the job fails at once, kept for inspection. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}
