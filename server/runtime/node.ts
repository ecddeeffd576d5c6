import { getPriority, setPriority } from 'node:os';
import type { Server } from 'node:http';
import { createKizuna } from '../kizuna.ts';
import { syncDefaultBot } from '../default-bot.ts';
import { createLogger } from '../logger.ts';
import { Metrics } from '../metrics.ts';
import { ConfigError, parseConfig } from './config.ts';
import { createMetricsServer, createNodeServer } from './node-http.ts';
import { verifyLineSignatureNode } from './node-signature.ts';
import { openDatabase } from './setup.ts';

/**
 * The Node entry point: `npm start` (web + in-process workers), `npm run worker` (workers only),
 * or `KIZUNA_ROLE=web` (web only). The only Node file that reads the environment.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const role = process.argv.includes('--role=worker') ? 'worker' : config.KIZUNA_ROLE;
  const logger = createLogger(config.KIZUNA_LOG_LEVEL);
  const version = process.env.npm_package_version ?? '0.1.0';

  const opened = await openDatabase(config, logger);
  const kizuna = createKizuna({
    db: opened.db,
    secretBox: opened.secretBox,
    logger,
    adminToken: opened.adminToken,
    metricsToken: config.KIZUNA_METRICS_TOKEN,
    metrics: new Metrics({ processMetrics: true }),
    bodyLimitBytes: config.KIZUNA_BODY_LIMIT_BYTES,
    version,
    timeZone: config.TZ,
    noticeWebhookUrl: config.KIZUNA_NOTICE_WEBHOOK_URL,
    verifySignature: verifyLineSignatureNode,
    namedStatements: config.KIZUNA_PREPARED_STATEMENTS,
    line: { baseURL: config.LINE_API_BASE_URL, dataBaseURL: config.LINE_API_DATA_BASE_URL },
  });
  const running: { server?: Server; metricsServer?: Server } = {};
  let shuttingDown = false;

  const shutdown = async (signal: string, exitCode = 0) => {
    if (shuttingDown) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown took over 20 s: exiting');
      process.exit(1);
    }, 20_000);
    timer.unref();
    // Order matters: stop taking requests and let in-flight ones finish, stop claiming jobs and let
    // running ones finish, and only then close the database so nothing writes to a closed PGlite.
    if (running.server) await closeServer(running.server);
    if (running.metricsServer) await closeServer(running.metricsServer);
    await kizuna.stop();
    await opened.close();
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (role === 'worker') lowerPriority(config.KIZUNA_WORKER_NICE, logger);
  await kizuna.start({ work: role !== 'web' });
  if (config.KIZUNA_METRICS_PORT !== undefined) {
    try {
      running.metricsServer = await listenMetrics(kizuna.app.fetch, config.KIZUNA_METRICS_PORT);
      logger.info('metrics are served', { port: config.KIZUNA_METRICS_PORT, path: '/metrics' });
    } catch (error) {
      logger.error(`KIZUNA_METRICS_PORT: ${config.KIZUNA_METRICS_PORT} cannot be used`, { error });
      return shutdown('metrics port', 1);
    }
  }

  if (role === 'worker') {
    logger.info('worker started', { database: opened.db.driver.kind });
    return;
  }

  // The default bot is synced before the port opens, so the first webhook finds it.
  const bot = await syncDefaultBot(kizuna.bots, config);
  if (bot) {
    await kizuna.onBotChanged(bot.id);
    logger.info('bot "default" configured from the environment', { channelId: bot.channelId });
  }

  const server = createNodeServer({
    fetch: kizuna.app.fetch,
    lineWebhook: kizuna.lineWebhook,
    logger,
    bodyLimitBytes: config.KIZUNA_BODY_LIMIT_BYTES,
    hostname: '0.0.0.0',
  });
  server.listen(config.PORT, '0.0.0.0', () => {
    const address = server.address();
    logger.info('Kizuna is listening', {
      url: `http://localhost:${typeof address === 'object' && address ? address.port : config.PORT}`,
      role,
      database:
        opened.db.driver.kind === 'pglite' ? `embedded (${config.KIZUNA_DATA_DIR})` : 'postgres',
    });
  });
  running.server = server;
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.error(
      error.code === 'EADDRINUSE' ? `PORT: ${config.PORT} is already in use` : 'server error',
      { error },
    );
    void shutdown('server error', 1);
  });
}

/** Listens on all interfaces, as the main port does; rejects if the port is taken. */
function listenMetrics(fetch: (request: Request) => Response | Promise<Response>, port: number) {
  const server = createMetricsServer(fetch);
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
    server.closeIdleConnections();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * A worker process runs below the web processes' CPU priority: acknowledgements have LINE's
 * 2-second deadline and jobs have none, so on a host that runs both, a backlog of jobs must not
 * slow webhooks down. (Hosts that give workers their own machines lose nothing.)
 */
function lowerPriority(nice: number, logger: ReturnType<typeof createLogger>): void {
  if (nice === 0) return;
  try {
    setPriority(Math.max(getPriority(), nice));
  } catch (error) {
    logger.warn('could not lower the worker priority', { error: String(error) });
  }
}
