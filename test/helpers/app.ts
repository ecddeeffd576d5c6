import { SecretBox } from '../../db/secret-box.ts';
import { createKizuna, type Kizuna, type KizunaOptions } from '../../server/kizuna.ts';
import { createLogger, type Logger } from '../../server/logger.ts';
import { openTestDb, type TestDb } from './db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  kizuna: Kizuna;
  app: Kizuna['app'];
  testDb: TestDb;
  secretBox: SecretBox;
  logs: string[];
  logger: Logger;
  /** Calls the app in-process with the admin token and a JSON body. */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<Response>;
  close(): Promise<void>;
}

export async function openTestApp(
  options: Partial<
    Pick<KizunaOptions, 'bodyLimitBytes' | 'line' | 'inbox' | 'noticeWebhookUrl' | 'metricsToken'>
  > = {},
): Promise<TestApp> {
  const testDb = await openTestDb();
  const secretBox = await SecretBox.fromBase64Key(SecretBox.generateKey());
  const logs: string[] = [];
  const logger: Logger = createLogger('debug', (line) => logs.push(line));
  const kizuna = createKizuna({
    db: testDb.db,
    secretBox,
    logger,
    adminToken: ADMIN_TOKEN,
    ...options,
  });
  await kizuna.queue.start();
  const app = kizuna.app;
  return {
    kizuna,
    app,
    testDb,
    secretBox,
    logs,
    logger,
    api(method, path, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return Promise.resolve(
        app.request(path, {
          method,
          headers,
          body:
            body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
    },
    async close() {
      await kizuna.stop();
      await testDb.close();
    },
  };
}
