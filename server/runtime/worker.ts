import { createDb, type Db } from '../../db/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { createKizuna } from '../kizuna.ts';
import { AppError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { parseConfig, type Config } from './config.ts';

/**
 * The Cloudflare Workers entry point. Workers cannot keep I/O objects between requests, so each
 * invocation opens its own single-connection pool through Hyperdrive (cheap: Hyperdrive pools the
 * real connections) and closes it when done. Migrations are not run here: `npm run migrate` does
 * that once per deploy.
 */
interface Env {
  HYPERDRIVE?: { connectionString: string };
  [name: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

interface Opened {
  config: Config;
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
}

async function open(env: Env): Promise<Opened> {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const config = parseConfig(vars);
  const logger = createLogger(config.KIZUNA_LOG_LEVEL);
  const url = env.HYPERDRIVE?.connectionString ?? config.DATABASE_URL;
  if (!url) throw new Error('HYPERDRIVE: bind a Hyperdrive configuration (or set DATABASE_URL)');
  if (!config.KIZUNA_SECRET_KEY) throw new Error('KIZUNA_SECRET_KEY: required on Workers');
  const db = await createDb({ kind: 'postgres', url, poolSize: 1 });
  return { config, db, logger, secretBox: await SecretBox.fromBase64Key(config.KIZUNA_SECRET_KEY) };
}

function build({ config, db, logger, secretBox }: Opened) {
  return createKizuna({
    db,
    logger,
    secretBox,
    adminToken: config.KIZUNA_ADMIN_TOKEN,
    metricsToken: config.KIZUNA_METRICS_TOKEN,
    bodyLimitBytes: config.KIZUNA_BODY_LIMIT_BYTES,
    timeZone: config.TZ,
    noticeWebhookUrl: config.KIZUNA_NOTICE_WEBHOOK_URL,
    ephemeral: true,
    line: { baseURL: config.LINE_API_BASE_URL, dataBaseURL: config.LINE_API_DATA_BASE_URL },
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let opened: Opened;
    try {
      opened = await open(env);
    } catch (error) {
      // A deploy-time mistake: say which variable, never its value.
      console.error(
        JSON.stringify({ level: 'error', message: 'misconfigured', error: String(error) }),
      );
      return Response.json(
        new AppError(500, 'misconfigured', String((error as Error).message)).toJSON(),
        { status: 500 },
      );
    }
    const kizuna = build(opened);
    try {
      return await kizuna.app.fetch(request);
    } finally {
      // Events just stored are processed after the response, within this invocation.
      ctx.waitUntil(
        kizuna.processor
          .drain()
          .catch((error: unknown) => opened.logger.error('inbox drain failed', { error }))
          .finally(() => opened.db.close()),
      );
    }
  },

  /** Cron Trigger: runs the jobs that are due, the same handlers the Node worker runs. */
  async scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): Promise<void> {
    const opened = await open(env);
    const kizuna = build(opened);
    ctx.waitUntil(
      (async () => {
        try {
          await kizuna.queue.start();
          const events = await kizuna.processor.drain();
          const jobs = await kizuna.queue.runDue(200);
          opened.logger.info('scheduled run', { events, jobs });
        } finally {
          await kizuna.queue.stop();
          await opened.db.close();
        }
      })(),
    );
  },
};
