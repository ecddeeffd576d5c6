import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { errorAnswer } from '../errors.ts';
import type { LineWebhookIntake } from '../line-webhook-intake.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from '../middleware/body-limit.ts';

const WEBHOOK_PREFIX = '/webhooks/line/';

export interface NodeServerOptions {
  /** The Hono app's fetch: everything but the webhooks the direct path answers. */
  fetch: (request: Request) => Response | Promise<Response>;
  lineWebhook: LineWebhookIntake;
  logger: Logger;
  bodyLimitBytes?: number | undefined;
  hostname?: string | undefined;
}

/**
 * Kizuna's HTTP server on Node: the Hono app, except that LINE's webhook is answered here directly
 * whenever its request declares a body length within the limit (LINE's always do). Under load
 * (bench/webhook), building a web Request and Response and routing them through the app took about
 * 30% of the web process's CPU per webhook (98 µs against 69 µs on the direct path, measured side
 * by side), and the webhook is the one route whose rate LINE sets. The direct
 * path calls the same intake as the route (lineWebhookIntake) and maps errors the same way
 * (errorAnswer), so both answer alike (test/runtime/node-http.test.ts compares them); middleware
 * added to the app does not run for it. Everything else, chunked or oversized webhooks included,
 * goes to the app.
 */
export function createNodeServer(options: NodeServerOptions): Server {
  const app = getRequestListener(options.fetch, { hostname: options.hostname });
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  return createServer((req, res) => {
    const botId = directWebhookBot(req, limit);
    if (botId === undefined) void app(req, res);
    else answerWebhook(options, botId, req, res);
  });
}

/**
 * A server for KIZUNA_METRICS_PORT: the app's /metrics (its token check included) and nothing
 * else, so a worker, which serves no HTTP, can be scraped, and a web process's scrapes can stay
 * off its public port.
 */
export function createMetricsServer(fetch: NodeServerOptions['fetch']): Server {
  const listener = getRequestListener((request) =>
    new URL(request.url).pathname === '/metrics'
      ? fetch(request)
      : Response.json(
          { error: { code: 'not_found', message: 'this port serves GET /metrics only' } },
          { status: 404 },
        ),
  );
  return createServer((req, res) => void listener(req, res));
}

/** The bot of a webhook the direct path answers; undefined for a request the app serves. */
function directWebhookBot(req: IncomingMessage, limit: number): string | undefined {
  const url = req.url;
  if (req.method !== 'POST' || url === undefined || !url.startsWith(WEBHOOK_PREFIX)) return;
  // Without a declared length, or over the limit: the app's body limit deals with it (413).
  const length = req.headers['content-length'];
  if (length === undefined || req.headers['transfer-encoding'] !== undefined) return;
  if (!(Number(length) <= limit)) return;
  const raw = withoutQuery(url).slice(WEBHOOK_PREFIX.length);
  // An empty or nested path is the app's 404; a percent-encoded id is decoded as the router does.
  if (raw === '' || raw.includes('/')) return;
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return;
  }
}

function answerWebhook(
  options: NodeServerOptions,
  botId: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const chunks: Buffer<ArrayBuffer>[] = [];
  req.on('data', (chunk: Buffer<ArrayBuffer>) => chunks.push(chunk));
  // A sender that hangs up mid-body has no one to answer, and nothing was stored.
  req.on('error', () => {});
  req.on('end', () => {
    // Node's parser delivers no more than the declared length.
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const signature = req.headers['x-line-signature'];
    options.lineWebhook(botId, body, typeof signature === 'string' ? signature : undefined).then(
      () => send(res, 200, '{}'),
      (error: unknown) => {
        const answer = errorAnswer(error);
        if (answer.unexpected)
          options.logger.error('unhandled error', {
            error,
            method: 'POST',
            path: withoutQuery(req.url ?? ''),
          });
        send(res, answer.status, JSON.stringify(answer.body));
      },
    );
  });
}

/** The path of a request target (as the app routes and logs it). */
function withoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
