import { JobQueue } from '../../jobs/queue.ts';
import { createLogger } from '../logger.ts';
import { ConfigError, parseConfig } from './config.ts';
import { openDatabase } from './setup.ts';

/**
 * `npm run migrate`: brings Kizuna's tables and the job queue's schema to the newest version, then
 * exits. Starting the server does the same; deployments that migrate separately (Workers) use this.
 */
try {
  const config = parseConfig(process.env);
  const logger = createLogger(config.KIZUNA_LOG_LEVEL);
  const opened = await openDatabase(config, logger);
  const queue = new JobQueue({
    db: opened.db,
    // No definitions: starting the queue installs or upgrades its schema, which is all this needs.
    definitions: [],
    logger,
    timeZone: config.TZ,
  });
  await queue.start();
  await queue.stop();
  await opened.close();
  logger.info('database is up to date');
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}
