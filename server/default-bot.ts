import type { BotRepository } from '../db/bots.ts';
import { botCreateSchema, type Bot } from '../crm/bot.ts';
import type { Config } from './runtime/config.ts';

/**
 * The single-bot start (SPEC §11): when LINE credentials are in the environment, bot `default`
 * is created from them, or updated to match them, on every start.
 */
export async function syncDefaultBot(
  bots: BotRepository,
  config: Config,
): Promise<Bot | undefined> {
  if (!config.LINE_CHANNEL_SECRET && !config.LINE_CHANNEL_ACCESS_TOKEN && !config.LINE_CHANNEL_ID)
    return undefined;
  const parsed = botCreateSchema.omit({ id: true }).safeParse({
    name: 'default',
    channelId: config.LINE_CHANNEL_ID,
    channelSecret: config.LINE_CHANNEL_SECRET,
    channelAccessToken: config.LINE_CHANNEL_ACCESS_TOKEN,
    liffId: config.LIFF_ID,
    loginChannelId: config.LINE_LOGIN_CHANNEL_ID,
  });
  if (!parsed.success) {
    const envName: Record<string, string> = {
      channelId: 'LINE_CHANNEL_ID',
      channelSecret: 'LINE_CHANNEL_SECRET',
      channelAccessToken: 'LINE_CHANNEL_ACCESS_TOKEN',
      liffId: 'LIFF_ID',
      loginChannelId: 'LINE_LOGIN_CHANNEL_ID',
    };
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    throw new Error(`${envName[field] ?? field}: ${issue.message}`);
  }
  // On update the name stays as staff set it: the environment owns only the credentials.
  return bots.upsert('default', parsed.data);
}
