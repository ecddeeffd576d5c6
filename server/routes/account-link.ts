import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { LineApiError } from '../../bot/line-port.ts';
import { AccountLinkNonces } from '../../db/account-links.ts';
import type { AppEnv } from '../app.ts';
import { AppError, notFound } from '../errors.ts';
import { errorResponses } from '../openapi.ts';
import { botParams, recordIdSchema } from './params.ts';

/** Where LINE finishes Account Link (research/line-platform.md §4.2, step 3). */
const LINE_ACCOUNT_LINK = 'https://access.line.me/dialog/bot/accountLink';

const routes = {
  issue: createRoute({
    method: 'post',
    path: '/api/bots/{botId}/friends/{friendId}/account-link',
    summary:
      "Start LINE Account Link for a friend (F2.8): a link token, and the shop's login page URL " +
      'carrying it, to send the friend',
    security: [{ adminToken: [] }],
    request: { params: botParams.extend({ friendId: recordIdSchema }) },
    responses: {
      200: {
        description: 'The link token (valid 10 minutes, usable once) and the URL to send',
        content: {
          'application/json': {
            schema: z
              .object({ linkToken: z.string(), url: z.string() })
              .openapi('AccountLinkStart'),
          },
        },
      },
      ...errorResponses(400, 401, 404, 409),
      502: {
        description: 'LINE refused or failed to issue the link token',
        content: { 'application/json': { schema: z.object({ error: z.any() }) } },
      },
    },
  }),
  complete: createRoute({
    method: 'get',
    path: '/liff/{botId}/account-link/complete',
    summary:
      "The shop's login page sends the logged-in shopper here; Kizuna binds a single-use nonce to " +
      "the cart customer and redirects to LINE's account-link dialog",
    description:
      "`signature` = lower-case hex HMAC-SHA256, keyed with the bot's `accountLinkSecret`, of " +
      '`linkToken + "\\n" + connectionId + "\\n" + customer`. The nonce expires after 10 minutes.',
    request: {
      params: botParams,
      query: z.object({
        linkToken: z.string().regex(/^[A-Za-z0-9_-]{8,200}$/, 'is not a link token'),
        connectionId: recordIdSchema,
        customer: z.string().min(1).max(200),
        signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
      }),
    },
    responses: {
      302: { description: "Redirect to LINE's account-link dialog with the nonce" },
      ...errorResponses(400, 401, 404, 409),
    },
  }),
};

export function accountLinkRoutes() {
  return new OpenAPIHono<AppEnv>()
    .openapi(routes.issue, async (c) => {
      const { botId, friendId } = c.req.valid('param');
      const { deps } = c.var;
      const bot = await deps.bots.get(botId);
      if (!bot) throw notFound('bot');
      const friend = await deps.db.kysely
        .selectFrom('friends')
        .select('line_user_id')
        .where('bot_id', '=', botId)
        .where('id', '=', friendId)
        .executeTakeFirst();
      if (!friend) throw notFound('friend');
      if (!bot.accountLinkUrl)
        throw new AppError(
          409,
          'account_link_not_configured',
          "set the bot's accountLinkUrl (the shop's login page) first",
        );
      let linkToken: string;
      try {
        linkToken = await (await deps.lineFor(botId)).issueLinkToken(friend.line_user_id);
      } catch (error) {
        if (!(error instanceof LineApiError)) throw error;
        throw new AppError(502, 'line_error', `LINE did not issue a link token: ${error.message}`);
      }
      const url = new URL(bot.accountLinkUrl);
      url.searchParams.set('linkToken', linkToken);
      return c.json({ linkToken, url: url.toString() }, 200);
    })
    .openapi(routes.complete, async (c) => {
      const { botId } = c.req.valid('param');
      const { linkToken, connectionId, customer, signature } = c.req.valid('query');
      const { deps } = c.var;
      if (!(await deps.bots.get(botId))) throw notFound('bot');
      const secret = await deps.bots.accountLinkSecret(botId);
      if (!secret)
        throw new AppError(409, 'account_link_not_configured', 'the bot has no accountLinkSecret');
      const signed = `${linkToken}\n${connectionId}\n${customer}`;
      if (!(await verifyHex(secret, signed, signature)))
        throw new AppError(401, 'bad_signature', 'the signature does not match');
      const connection = await deps.db.kysely
        .selectFrom('connections')
        .select('id')
        .where('bot_id', '=', botId)
        .where('id', '=', connectionId)
        .where('disconnected_at', 'is', null)
        .executeTakeFirst();
      if (!connection) throw notFound('connection');
      const nonce = await new AccountLinkNonces(deps.db.kysely).create(
        botId,
        connectionId,
        customer,
        new Date(),
      );
      const target = new URL(LINE_ACCOUNT_LINK);
      target.searchParams.set('linkToken', linkToken);
      target.searchParams.set('nonce', nonce);
      return c.redirect(target.toString(), 302);
    });
}

/** Constant-time check of a hex HMAC-SHA256 (WebCrypto, so it runs on Workers too). */
async function verifyHex(secret: string, message: string, hex: string): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const bytes = new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
  return crypto.subtle.verify('HMAC', key, bytes, new TextEncoder().encode(message));
}
