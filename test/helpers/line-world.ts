import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { createFakeLine, type FakeLine } from '../fakes/line.ts';
import type { KizunaOptions } from '../../server/kizuna.ts';
import { createNodeServer } from '../../server/runtime/node-http.ts';
import { openTestApp, type TestApp } from './app.ts';

export interface LineWorld extends TestApp {
  line: FakeLine;
  lineUrl: string;
  /** Kizuna's base URL over real HTTP. */
  url: string;
  channel: { channelId: string; channelSecret: string; accessToken: string; botUserId: string };
  botId: string;
  webhookUrl: string;
  /** Runs queued events and jobs until nothing is due. */
  settle(): Promise<void>;
  /** Makes every queued job retry due now (pg-boss waits retryDelay between attempts). */
  retryJobsNow(): Promise<void>;
}

const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/**
 * Kizuna (over real HTTP) connected to the fake LINE platform (over real HTTP), with one bot whose
 * channel matches a fake channel. Background loops stay off: tests step the work with settle().
 */
export async function openLineWorld(
  options: Pick<KizunaOptions, 'inbox' | 'metricsToken'> = {},
): Promise<LineWorld> {
  const channel = {
    channelId: '2000000001',
    channelSecret: hex(16),
    accessToken: `token-${hex(20)}`,
    botUserId: `U${hex(16)}`,
  };
  const line = createFakeLine({ channels: [channel] });
  const fake = await line.listen(0);
  const t = await openTestApp({
    line: { baseURL: fake.url, dataBaseURL: fake.url },
    inbox: { retryDelay: () => 0, ...options.inbox },
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
  });
  // The Node server as `npm start` runs it: webhooks take its direct path (runtime/node-http.ts).
  const server = createNodeServer({
    fetch: t.app.fetch,
    lineWebhook: t.kizuna.lineWebhook,
    logger: t.logger,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const botId = 'shop';
  const created = await t.api('POST', '/api/bots', {
    id: botId,
    name: 'Shop',
    channelId: channel.channelId,
    channelSecret: channel.channelSecret,
    channelAccessToken: channel.accessToken,
  });
  if (created.status !== 201) throw new Error(`bot not created: ${await created.text()}`);
  return {
    ...t,
    line,
    lineUrl: fake.url,
    url,
    channel,
    botId,
    webhookUrl: `${url}/webhooks/line/${botId}`,
    async settle() {
      for (let round = 0; round < 50; round++) {
        const events = await t.kizuna.processor.drain();
        const jobs = await t.kizuna.queue.runDue(500);
        if (events === 0 && jobs === 0) return;
      }
      throw new Error('work did not settle');
    },
    async retryJobsNow() {
      await sql`update pgboss.job set start_after = now() where state = 'retry'`.execute(
        t.testDb.db.kysely,
      );
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
      await fake.close();
    },
  };
}
