import { createLineClient } from '../../bot/line-client.ts';
import type { LinePort } from '../../bot/line-port.ts';
import { RichMenuRepository } from '../../db/rich-menus.ts';
import { createFakeLine, type FakeLine } from '../fakes/line.ts';
import { testChannels } from '../fakes/line/harness.ts';
import { insertBot } from '../helpers/carts.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

/** A migrated database with bot `shop` and the fake LINE channel it talks to. */
export interface MenuWorld {
  t: TestDb;
  line: FakeLine;
  client: LinePort;
  repo: RichMenuRepository;
  channelId: string;
  /** Requests LINE accepted that change something (not GETs), since `since`. */
  mutations(since?: number): Array<{ method: string; path: string; body?: unknown }>;
  close(): Promise<void>;
}

export async function openMenuWorld(): Promise<MenuWorld> {
  const channels = testChannels();
  const line = createFakeLine({ channels });
  const server = await line.listen(0);
  const t = await openTestDb();
  await insertBot(t.db, 'shop');
  const client = createLineClient({
    channelAccessToken: channels[0]!.accessToken,
    baseURL: server.url,
    dataBaseURL: server.url,
  });
  return {
    t,
    line,
    client,
    repo: new RichMenuRepository(t.db.kysely),
    channelId: channels[0]!.channelId,
    mutations: (since = 0) => line.accepted.slice(since).filter((r) => r.method !== 'GET'),
    async close() {
      await server.close();
      await t.close();
    },
  };
}
