import { z } from 'zod';
import { CartError, type CartConnector } from '../carts/connector.ts';
import type { CartKind } from '../crm/cart-kind.ts';
import type { ConnectionRepository } from '../db/connections.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../server/logger.ts';
import { describe, importResource, type Resource } from './cart-import.ts';
import { defineJob, PermanentJobError, type JobDefinition } from './job.ts';
import type { Notifier } from './notices.ts';

export interface CartJobDeps {
  db: Db;
  logger: Logger;
  connections: ConnectionRepository;
  connectorFor(cart: CartKind): CartConnector<unknown> | undefined;
  fetch: typeof fetch;
  /** Enqueues imports (set once the queue exists: schedules enqueue imports). */
  enqueueImports(connectionId: string, resources: Resource[]): Promise<void>;
  /** Tells staff about a failed sync, and that it recovered (F3.5). */
  notices: Pick<Notifier, 'raise' | 'recovered'>;
  /** Shop time zone (default Asia/Tokyo). */
  timeZone?: string | undefined;
}

const resourceSchema = z.enum(['customers', 'orders', 'subscriptions', 'products']);
const importPayload = z.object({ connectionId: z.string(), resource: resourceSchema });

/**
 * Imports one resource of one connection. Failures a retry can mend (the cart down or limiting)
 * retry with backoff from the stored cursor; refused credentials or a wrong domain stop at once:
 * the connection shows the error until staff reconnect (F3.5).
 */
export function cartImportJob(deps: CartJobDeps): JobDefinition<z.infer<typeof importPayload>> {
  return defineJob({
    name: 'cart.import',
    payload: importPayload,
    retryLimit: 6,
    retryDelaySeconds: 30,
    expireInSeconds: 4 * 3600,
    concurrency: 2,
    batchSize: 1,
    handle: async ({ connectionId, resource }) => {
      const connection = await deps.connections.get(connectionId);
      if (!connection || connection.disconnectedAt) return; // disconnected: no more syncs (F3.6)
      const connector = deps.connectorFor(connection.cart);
      if (!connector) throw new PermanentJobError(`no connector for ${connection.cart}`);
      // One notice per connection and resource: each recovers on its own next good run.
      const subject = `${connection.id}:${resource}`;
      try {
        await importResource(
          {
            db: deps.db,
            connections: deps.connections,
            logger: deps.logger,
            fetch: deps.fetch,
            sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
            now: () => new Date(),
            timeZone: deps.timeZone,
          },
          connector,
          connection,
          resource,
        );
        await deps.notices.recovered(connection.botId, 'sync_failed', subject);
      } catch (error) {
        await deps.notices.raise({
          botId: connection.botId,
          kind: 'sync_failed',
          subject,
          message: `${connection.name} (${connection.cart}), ${resource}: ${describe(error)}`,
        });
        if (
          error instanceof CartError &&
          (error.kind === 'bad_credentials' ||
            error.kind === 'revoked' ||
            error.kind === 'not_found')
        ) {
          throw new PermanentJobError(error.message, { cause: error });
        }
        throw error;
      }
    },
  });
}

/**
 * F3.4 defaults: orders (and subscriptions) every hour, customers (and products) once a day in the
 * small hours of shop time. Each tick only enqueues imports; pg-boss runs one tick per slot across
 * all processes.
 */
export function cartScheduleJobs(deps: CartJobDeps): JobDefinition<{ resources: Resource[] }>[] {
  const payload = z.object({
    resources: z.array(resourceSchema),
  });
  const tick = (name: string, cron: string, resources: Resource[]) =>
    defineJob({
      name,
      payload,
      schedule: { cron, payload: { resources } },
      handle: async ({ resources: wanted }) => {
        const live = await deps.db.kysely
          .selectFrom('connections')
          .select('id')
          .where('disconnected_at', 'is', null)
          .execute();
        for (const { id } of live) await deps.enqueueImports(id, wanted);
      },
    });
  return [
    tick('cart.hourly', '5 * * * *', ['orders', 'subscriptions']),
    // The catalog (F4.5) changes rarely and is listed whole: once a day with the customers.
    tick('cart.daily', '30 0 * * *', ['customers', 'products']),
  ];
}
