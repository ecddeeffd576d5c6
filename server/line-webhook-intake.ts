import type { ChannelSecrets } from '../bot/channel-secrets.ts';
import type { InboxWriter } from '../bot/inbox-writer.ts';
import type { SignatureVerifier } from '../bot/signature.ts';
import { isPlainValidWebhookBody, storableBody, webhookBodySchema } from '../crm/line-events.ts';
import { AppError, errorAnswer, invalidRequest } from './errors.ts';
import type { Metrics } from './metrics.ts';

export interface LineWebhookIntakeDeps {
  channelSecrets: ChannelSecrets;
  inbox: InboxWriter;
  verifySignature: SignatureVerifier;
}

/**
 * Accepts one LINE webhook request: resolves, to its number of events, once it is stored; throws
 * AppError when refused.
 */
export type LineWebhookIntake = (
  botId: string,
  body: Uint8Array<ArrayBuffer>,
  signature: string | undefined,
) => Promise<number>;

/** Refuses bytes that are not UTF-8 rather than storing replacement characters LINE never sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * LINE's webhook (F1.2), whatever serves the HTTP: verify the signature on the raw bytes, validate
 * the body, store it in the inbox; the caller answers 200 once this resolves. The worker takes it
 * from there into line_events, each event keyed by its webhookEventId, and processes it; LINE's
 * 2-second budget is spent here on one append. Both the Hono route (every runtime) and the Node
 * server's direct path (runtime/node-http.ts) call this, so they refuse alike.
 */
export function lineWebhookIntake(deps: LineWebhookIntakeDeps): LineWebhookIntake {
  const { channelSecrets, inbox, verifySignature } = deps;
  return async (botId, body, signature) => {
    const cached = channelSecrets.peek(botId);
    const secret = cached ? cached.secret : await channelSecrets.get(botId);
    if (secret === undefined) throw new AppError(404, 'not_found', 'bot not found');
    if (secret === null) {
      throw new AppError(
        404,
        'bot_not_configured',
        'this bot has no channel secret; set it before connecting the webhook',
      );
    }
    const verified = verifySignature(secret, body, signature);
    if (!(typeof verified === 'boolean' ? verified : await verified)) {
      throw new AppError(401, 'invalid_signature', 'x-line-signature does not match the body');
    }
    let text: string;
    let json: unknown;
    try {
      text = utf8.decode(body);
      json = JSON.parse(text);
    } catch {
      throw new AppError(400, 'malformed_json', 'the body is not valid UTF-8 JSON');
    }
    if (!isPlainValidWebhookBody(json)) {
      const parsed = webhookBodySchema.safeParse(json);
      if (!parsed.success) throw invalidRequest(parsed.error);
    }
    const storable = storableBody(text, json);
    const events = (json as { events: unknown[] }).events.length;
    await inbox.store({
      botId,
      body: storable === text ? body : new TextEncoder().encode(storable),
      events,
    });
    return events;
  };
}

/** The intake, counted: each answer's status and time, and the events stored (metrics.ts). */
export function observedIntake(intake: LineWebhookIntake, metrics: Metrics): LineWebhookIntake {
  return async (botId, body, signature) => {
    const started = performance.now();
    try {
      const events = await intake(botId, body, signature);
      metrics.webhookAnswered(200, (performance.now() - started) / 1000, { botId, events });
      return events;
    } catch (error) {
      metrics.webhookAnswered(errorAnswer(error).status, (performance.now() - started) / 1000);
      throw error;
    }
  };
}
