import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { botIdSchema } from '../../crm/bot.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';

/** Kizuna's own record ids (UUIDs today); anything else in a path is a malformed request. */
export const recordIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'is not an id');

export const botParams = z.object({ botId: botIdSchema });

/** Lists of an unknown bot are 404, not empty; checked only when a lookup found nothing. */
export async function requireBot(c: Context<AppEnv>, botId: string): Promise<void> {
  if (!(await c.var.deps.bots.get(botId))) throw notFound('bot');
}
