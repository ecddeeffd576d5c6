import type { Context, MiddlewareHandler } from 'hono';
import { IdTokenError } from '../../bot/id-token.ts';
import type { Bot } from '../../crm/bot.ts';
import { botIdSchema } from '../../crm/bot.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';

/** What the LIFF routes add to the context: the bot, and the verified LINE user. */
export type LiffEnv = AppEnv & { Variables: { bot: Bot; lineUserId: string } };

/**
 * The LIFF mini-apps' only credential: the LIFF ID token in `Authorization: Bearer`, verified by
 * LINE against the bot's LINE Login channel (F2.1). Runs before the body is read, so a request
 * without a good token is a 401 whatever it carries, and nothing of it is stored.
 */
export const liffAuth: MiddlewareHandler<LiffEnv> = async (c, next) => {
  const bot = await liffBot(c);
  if (!bot.loginChannelId)
    throw new AppError(
      409,
      'liff_not_configured',
      'this bot has no LINE Login channel id (loginChannelId) to verify ID tokens with',
    );
  const header = c.req.header('authorization') ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (!token) throw new AppError(401, 'missing_token', 'send the LIFF ID token as a Bearer token');
  try {
    const claims = await c.var.deps.idTokens.verify(token, bot.loginChannelId);
    c.set('lineUserId', claims.sub);
  } catch (error) {
    if (!(error instanceof IdTokenError)) throw error;
    if (error.code === 'line_unavailable')
      throw new AppError(503, 'line_unavailable', 'LINE could not verify the ID token; try again');
    throw new AppError(401, error.code, MESSAGES[error.code]);
  }
  await next();
};

const MESSAGES: Record<Exclude<IdTokenError['code'], 'line_unavailable'>, string> = {
  missing_token: 'send the LIFF ID token as a Bearer token',
  invalid_token: 'the ID token is not valid',
  token_expired: 'the ID token has expired; get a new one from LIFF',
  wrong_channel: "the ID token is for another channel than this bot's LINE Login channel",
};

/** The bot named in the path (404 when unknown), kept on the context. */
export async function liffBot(c: Context<LiffEnv>): Promise<Bot> {
  const parsed = botIdSchema.safeParse(c.req.param('botId'));
  const bot = parsed.success ? await c.var.deps.bots.get(parsed.data) : undefined;
  if (!bot) throw notFound('bot');
  c.set('bot', bot);
  return bot;
}

/** Japanese first (F8): English only when the shopper's LINE asks for it. */
export function language(c: Context): 'ja' | 'en' {
  const accept = (c.req.header('accept-language') ?? '').trim().toLowerCase();
  return accept.startsWith('en') ? 'en' : 'ja';
}
