import { ChannelSecrets } from '../bot/channel-secrets.ts';
import { createIdTokenVerifier, type IdTokenVerifier } from '../bot/id-token.ts';
import { InboxProcessor, type InboxProcessorOptions } from '../bot/inbox-processor.ts';
import { InboxWriter } from '../bot/inbox-writer.ts';
import { LineClients, type LineEndpoints } from '../bot/line-clients.ts';
import { PostbackRegistry } from '../bot/postbacks.ts';
import { verifyLineSignature, type SignatureVerifier } from '../bot/signature.ts';
import { connectorFor } from '../carts/index.ts';
import { BotRepository } from '../db/bots.ts';
import { ConnectionRepository } from '../db/connections.ts';
import type { Db } from '../db/index.ts';
import { LineEventRepository } from '../db/line-events.ts';
import { LineInboxRepository } from '../db/line-inbox.ts';
import type { SecretBox } from '../db/secret-box.ts';
import type { Resource } from '../jobs/cart-import.ts';
import { cartImportJob, cartScheduleJobs, type CartJobDeps } from '../jobs/carts.ts';
import {
  importFollowersJob,
  profileJobs,
  refreshProfileJob,
  type LineJobDeps,
} from '../jobs/line.ts';
import { deliverNoticeJob, Notifier, type NoticeDeps } from '../jobs/notices.ts';
import { JobQueue } from '../jobs/queue.ts';
import {
  reassignRichMenusJob,
  richMenuSweepJob,
  type RichMenuJobDeps,
} from '../jobs/rich-menus.ts';
import { filterFriendSelector } from '../rich-menus/select.ts';
import { ruleScheduleJobs } from '../jobs/rules.ts';
import { createApp } from './app.ts';
import { lineWebhookIntake, observedIntake } from './line-webhook-intake.ts';
import type { Logger } from './logger.ts';
import { Metrics } from './metrics.ts';

export interface KizunaOptions {
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
  adminToken?: string | undefined;
  /** A token that may read /metrics only (the admin token may too). */
  metricsToken?: string | undefined;
  /** This process's metrics (the Node runtime adds its process figures); a new set otherwise. */
  metrics?: Metrics;
  bodyLimitBytes?: number | undefined;
  version?: string | undefined;
  line?: LineEndpoints;
  timeZone?: string | undefined;
  /** A short-lived invocation (Workers): the queue does no upkeep of its own. */
  ephemeral?: boolean;
  /** The fetch cart connectors use (tests may route it; default the runtime's). */
  fetch?: typeof fetch;
  /** Webhook signature check (default: WebCrypto, which every runtime has). */
  verifySignature?: SignatureVerifier;
  /**
   * The database connections keep named prepared statements (a direct PostgreSQL connection, as
   * the Node runtime has): the webhook's append then skips parse and plan. Not assumed otherwise,
   * since poolers in transaction mode do not keep them.
   */
  namedStatements?: boolean;
  /** Where new staff notices are also POSTed (F3.5), when set. */
  noticeWebhookUrl?: string | undefined;
  /** LIFF ID token verification (default: LINE's verify endpoint on the `line` base URL). */
  idTokens?: IdTokenVerifier;
  /** Retry policy of the webhook inbox (tests shorten it). */
  inbox?: Pick<
    InboxProcessorOptions,
    'maxAttempts' | 'retryDelay' | 'idleMs' | 'vacuumAfterBodies'
  >;
}

/**
 * Wires Kizuna's parts together once: repositories, the LINE clients, the webhook inbox, the job
 * queue and the HTTP app. Runtime edges (node.ts, worker.ts) and tests all build it here.
 */
export function createKizuna(options: KizunaOptions) {
  const { db, logger } = options;
  const bots = new BotRepository(db.kysely, options.secretBox);
  const metrics = options.metrics ?? new Metrics();
  const lineClients = new LineClients(bots, options.line, (botId, op, outcome) =>
    metrics.lineCall(botId, op, outcome),
  );
  const postbacks = new PostbackRegistry();

  // Jobs enqueue jobs, so their deps reach the queue through this late-bound reference.
  const queueRef: { current?: JobQueue } = {};
  const lineDeps: LineJobDeps = {
    db,
    logger,
    lineFor: (botId) => lineClients.get(botId),
    enqueueProfiles: async (botId, lineUserIds) =>
      queueRef.current!.sendMany(refreshProfile, profileJobs(botId, lineUserIds)),
  };
  const refreshProfile = refreshProfileJob(lineDeps);
  const importFollowers = importFollowersJob(lineDeps);
  const connections = new ConnectionRepository(db.kysely, options.secretBox);
  const fetchImpl = options.fetch ?? fetch;
  const enqueueImports = async (connectionId: string, resources: Resource[]) =>
    queueRef.current!.sendMany(
      cartImport,
      resources.map((resource) => ({ connectionId, resource })),
    );
  const noticeDeps: NoticeDeps = {
    db,
    logger,
    fetch: fetchImpl,
    webhookUrl: options.noticeWebhookUrl,
    enqueueDelivery: async (noticeId) =>
      void (await queueRef.current!.send(deliverNotice, { noticeId })),
  };
  const deliverNotice = deliverNoticeJob(noticeDeps);
  const notices = new Notifier(noticeDeps);
  const cartDeps: CartJobDeps = {
    db,
    logger,
    connections,
    connectorFor,
    fetch: fetchImpl,
    enqueueImports,
    notices,
    timeZone: options.timeZone,
  };
  const cartImport = cartImportJob(cartDeps);
  const richMenuDeps: RichMenuJobDeps = {
    db,
    logger,
    lineFor: (botId) => lineClients.get(botId),
    select: filterFriendSelector(options.timeZone),
  };
  const reassignRichMenus = reassignRichMenusJob(richMenuDeps);
  const queue = new JobQueue({
    db,
    logger,
    definitions: [
      refreshProfile,
      importFollowers,
      cartImport,
      deliverNotice,
      ...cartScheduleJobs(cartDeps),
      ...ruleScheduleJobs({ db, logger, timeZone: options.timeZone }),
      reassignRichMenus,
      richMenuSweepJob(richMenuDeps),
    ],
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.ephemeral ? { ephemeral: true } : {}),
  });
  queueRef.current = queue;

  const processor = new InboxProcessor({
    ...options.inbox,
    timeZone: options.timeZone,
    db,
    logger,
    postbacks,
    enqueueProfileRefresh: (trx, botId, lineUserIds) =>
      queue.sendMany(refreshProfile, profileJobs(botId, lineUserIds), { trx }),
    onProcessed: (outcome, count) => metrics.eventsProcessed(outcome, count),
  });
  const inboxRepository = new LineInboxRepository(
    db.kysely,
    options.namedStatements && db.driver.kind === 'postgres' ? db.driver.pool : undefined,
  );
  const inbox = new InboxWriter(inboxRepository, { onStored: () => processor.notify() });
  const channelSecrets = new ChannelSecrets(bots);
  const lineWebhook = observedIntake(
    lineWebhookIntake({
      channelSecrets,
      inbox,
      verifySignature: options.verifySignature ?? verifyLineSignature,
    }),
    metrics,
  );
  const lineEvents = new LineEventRepository(db.kysely);
  metrics.readPipelineFrom(async () => ({
    inbox: await inboxRepository.backlog(),
    events: await lineEvents.unfinished(),
    sendingPaused: await bots.sendingPaused(),
  }));

  /** After a bot is created or changed: forget cached secrets; import its friends once it can. */
  const onBotChanged = async (botId: string) => {
    channelSecrets.invalidate(botId);
    const credentials = await bots.credentials(botId);
    if (!credentials?.channelAccessToken) return;
    const started = await db.kysely
      .insertInto('follower_imports')
      .values({ bot_id: botId, state: 'queued' })
      .onConflict((oc) => oc.column('bot_id').doNothing())
      .returning('bot_id')
      .executeTakeFirst();
    if (started) await queue.send(importFollowers, { botId });
  };

  const app = createApp({
    deps: {
      db,
      logger,
      version: options.version ?? '0.1.0',
      bots,
      lineWebhook,
      metrics,
      onBotChanged,
      connections,
      enqueueImports,
      fetch: fetchImpl,
      idTokens: options.idTokens ?? createIdTokenVerifier({ baseURL: options.line?.baseURL }),
      lineFor: (botId) => lineClients.get(botId),
      timeZone: options.timeZone,
      enqueueRichMenuReassign: async (botId) =>
        void (await queue.send(reassignRichMenus, { botId, full: true }, { singletonKey: botId })),
    },
    adminToken: options.adminToken,
    metricsToken: options.metricsToken,
    bodyLimitBytes: options.bodyLimitBytes,
  });

  return {
    app,
    /** The webhook intake the routes use, for a runtime that serves the webhook itself. */
    lineWebhook,
    bots,
    queue,
    processor,
    postbacks,
    lineClients,
    onBotChanged,
    metrics,
    /** Starts background work in this process: the queue, and with `work`, claiming jobs and events. */
    async start({ work }: { work: boolean }) {
      await queue.start();
      if (work) {
        await queue.work();
        processor.start();
      }
    },
    /** Stops claiming and waits for running work (call after the HTTP server stopped). */
    async stop() {
      await processor.stop();
      await queue.stop();
    },
  };
}

export type Kizuna = ReturnType<typeof createKizuna>;
