import type { AnyJobDefinition } from './job.ts';

/** What job handlers may use; built by the runtime edge. */
export type JobDeps = Record<string, never>;

/**
 * The registry of every job Kizuna runs. Runtime edges pass it to the queue; a job not listed here
 * is never claimed.
 */
export function createJobDefinitions(_deps: JobDeps): AnyJobDefinition[] {
  return [];
}
