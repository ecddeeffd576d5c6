import { parseArgs } from 'node:util';
import { LineClients } from '../bot/line-clients.ts';
import { BotRepository } from '../db/bots.ts';
import { RichMenuRepository } from '../db/rich-menus.ts';
import { syncDefaultBot } from '../server/default-bot.ts';
import { ConfigError, parseConfig } from '../server/runtime/config.ts';
import { openDatabase } from '../server/runtime/setup.ts';
import { createLogger } from '../server/logger.ts';
import { reassignRichMenus } from './assign.ts';
import { RichMenuError } from './errors.ts';
import { loadRichMenus } from './load.ts';
import { filterFriendSelector } from './select.ts';
import { applyRichMenus } from './sync.ts';

/**
 * `npm run rich-menus -- apply --bot <id>`: puts rich-menus/*.ts on the bot's LINE channel and
 * re-links friends per the bot's rules. Reads the same environment as `npm start` (the database,
 * its secret key, LINE_API_BASE_URL); with the embedded database, stop the server first, since
 * only one process may open it.
 */
const USAGE = 'usage: npm run rich-menus -- apply --bot <botId>';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { bot: { type: 'string' } },
  });
  if (positionals[0] !== 'apply' || !values.bot) {
    console.error(USAGE);
    return 2;
  }
  const botId = values.bot;
  const config = parseConfig(process.env);
  const logger = createLogger(config.KIZUNA_LOG_LEVEL);
  const opened = await openDatabase(config, logger);
  try {
    const bots = new BotRepository(opened.db.kysely, opened.secretBox);
    // As `npm start` does: bot "default" follows the LINE credentials in the environment.
    await syncDefaultBot(bots, config);
    if (!(await bots.get(botId))) {
      console.error(`no bot "${botId}"`);
      return 1;
    }
    const line = await new LineClients(bots, {
      baseURL: config.LINE_API_BASE_URL,
      dataBaseURL: config.LINE_API_DATA_BASE_URL,
    }).get(botId);
    const db = opened.db.kysely;
    const report = await applyRichMenus({
      botId,
      line,
      repo: new RichMenuRepository(db),
      menus: await loadRichMenus(),
      beforeDelete: async () => {
        const moved = await reassignRichMenus({
          db,
          line,
          botId,
          select: filterFriendSelector(config.TZ),
        });
        console.log(`friends re-linked: ${moved.linked} linked, ${moved.unlinked} unlinked`);
      },
    });
    const changed =
      report.created.length +
      report.deleted.length +
      report.aliases.created.length +
      report.aliases.updated.length +
      report.aliases.deleted.length +
      (report.defaultChanged === undefined ? 0 : 1);
    console.log(
      changed === 0
        ? `rich menus of ${botId} are up to date (${report.kept.join(', ')})`
        : JSON.stringify(report, null, 2),
    );
    return 0;
  } finally {
    await opened.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Typed errors carry what the operator needs; anything else is a bug worth its stack.
    if (error instanceof RichMenuError || error instanceof ConfigError)
      console.error(error.message);
    else console.error(error);
    process.exit(1);
  },
);
