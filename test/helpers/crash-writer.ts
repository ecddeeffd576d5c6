// Writes bots one transaction at a time to the embedded database in KIZUNA_DATA_DIR, printing each
// id only after its commit returned, until it is killed.
import { BotRepository } from '../../db/bots.ts';
import { createLogger } from '../../server/logger.ts';
import { parseConfig } from '../../server/runtime/config.ts';
import { openDatabase } from '../../server/runtime/setup.ts';

const opened = await openDatabase(parseConfig(process.env), createLogger('error'));
const bots = new BotRepository(opened.db.kysely, opened.secretBox);
for (let n = 0; ; n++) {
  await bots.create(`crash-${n}`, {
    name: `Crash ${n}`,
    channelSecret: '0123456789abcdef0123456789abcdef',
  });
  process.stdout.write(`committed crash-${n}\n`);
}
