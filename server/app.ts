import { OpenAPIHono } from '@hono/zod-openapi';
import type { Db } from '../db/index.ts';
import type { IdTokenVerifier } from '../bot/id-token.ts';
import type { LinePort } from '../bot/line-port.ts';
import type { BotRepository } from '../db/bots.ts';
import type { ConnectionRepository } from '../db/connections.ts';
import type { Resource } from '../jobs/cart-import.ts';
import { AppError, errorAnswer, invalidRequest } from './errors.ts';
import type { LineWebhookIntake } from './line-webhook-intake.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { adminAuth } from './middleware/admin-auth.ts';
import { bodyLimit, DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit.ts';
import { botRoutes } from './routes/bots.ts';
import { cartWebhookRoutes } from './routes/cart-webhooks.ts';
import { connectionProductRoutes } from './routes/connection-products.ts';
import { connectionRoutes } from './routes/connections.ts';
import { linkRoutes } from './routes/links.ts';
import { friendOrderRoutes } from './routes/friend-orders.ts';
import { friendPurchaseRoutes } from './routes/friend-purchases.ts';
import { friendAddRoutes } from './routes/friend-add-routes.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { friendRoutes } from './routes/friends.ts';
import { healthRoutes } from './routes/health.ts';
import { lineWebhookRoutes } from './routes/line-webhook.ts';
import { liffPageRoutes } from './routes/liff-pages.ts';
import { lineEventRoutes } from './routes/line-events.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { noticeRoutes } from './routes/notices.ts';
import { accountLinkRoutes } from './routes/account-link.ts';
import { formRoutes } from './routes/forms.ts';
import { liffRoutes } from './routes/liff.ts';
import { richMenuRuleRoutes } from './routes/rich-menu-rules.ts';
import { richMenuRoutes } from './routes/rich-menus.ts';
import { ruleRoutes } from './routes/rules.ts';
import { tagRoutes } from './routes/tags.ts';
import { friendSegmentRoutes } from './routes/friend-segments.ts';

export interface AppOptions {
  deps: AppDeps;
  adminToken?: string | undefined;
  /** Accepted by /metrics besides the admin token, so a scraper need not hold the admin one. */
  metricsToken?: string | undefined;
  bodyLimitBytes?: number | undefined;
}

/** What routes use; built by createKizuna. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  version: string;
  bots: BotRepository;
  /** Verifies, validates and stores one LINE webhook request (F1.2). */
  lineWebhook: LineWebhookIntake;
  /** What /metrics reports (F10.3). */
  metrics: Metrics;
  connections: ConnectionRepository;
  /** Enqueues cart imports of a connection (sync now, first import). */
  enqueueImports(connectionId: string, resources: Resource[]): Promise<void>;
  /** The fetch cart connectors use (the runtime's own). */
  fetch: typeof fetch;
  /** Called after a bot is created or updated through the API. */
  onBotChanged(botId: string): Promise<void>;
  /** LIFF ID tokens, verified by LINE (F2.1). */
  idTokens: IdTokenVerifier;
  /** The bot's LINE client (Account Link tokens). */
  lineFor(botId: string): Promise<LinePort>;
  /** Queues a reassign of every friend's rich menu (F7.2). */
  enqueueRichMenuReassign(botId: string): Promise<void>;
  /** Shop time zone (filters' date ranges are days there); Asia/Tokyo unless given. */
  timeZone?: string | undefined;
}

export type AppEnv = { Variables: { deps: AppDeps } };

export function createApp(options: AppOptions) {
  const { deps } = options;

  const app = new OpenAPIHono<AppEnv>({
    // Every validation failure, in any route, answers the same field-level 400.
    defaultHook: (result) => {
      if (!result.success)
        throw invalidRequest(result.error, result.target === 'json' ? undefined : result.target);
    },
  });

  // Not async: on the webhook's path every extra await is a measurable share of the request.
  app.use('*', (c, next) => {
    c.set('deps', deps);
    return next();
  });
  app.use('*', bodyLimit(options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));
  app.use('/api/bots/*', adminAuth(options.adminToken));
  app.use('/api/bots', adminAuth(options.adminToken));
  app.use('/metrics', adminAuth(options.adminToken, options.metricsToken));

  app.route('/', healthRoutes());
  app.route('/', metricsRoutes());
  app.route('/', botRoutes());
  app.route('/', friendSegmentRoutes());
  app.route('/', friendRoutes());
  app.route('/', tagRoutes());
  app.route('/', ruleRoutes());
  app.route('/', conversationRoutes());
  app.route('/', lineEventRoutes());
  app.route('/', friendAddRoutes());
  app.route('/', connectionRoutes());
  app.route('/', connectionProductRoutes());
  app.route('/', linkRoutes());
  app.route('/', friendOrderRoutes());
  app.route('/', friendPurchaseRoutes());
  app.route('/', noticeRoutes());
  app.route('/', formRoutes());
  app.route('/', richMenuRoutes());
  app.route('/', richMenuRuleRoutes());
  app.route('/', liffRoutes());
  app.route('/', accountLinkRoutes());
  app.route('/', lineWebhookRoutes());
  app.route('/', cartWebhookRoutes());
  app.route('/', liffPageRoutes());

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Kizuna API', version: deps.version },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'liffIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'LIFF ID token (liff.getIDToken())',
  });

  app.notFound((c) =>
    c.json(
      new AppError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`).toJSON(),
      404,
    ),
  );

  // The one error boundary (errorAnswer): unexpected errors are 500s whose details (stack
  // included) go only to the log.
  app.onError((error, c) => {
    const answer = errorAnswer(error);
    if (answer.unexpected)
      deps.logger.error('unhandled error', { error, method: c.req.method, path: c.req.path });
    // The unread rest of a too-large body stays on the socket: the connection cannot be reused.
    if (answer.status === 413) c.header('Connection', 'close');
    return c.json(answer.body, answer.status);
  });

  return app;
}

export type KizunaApp = ReturnType<typeof createApp>;
