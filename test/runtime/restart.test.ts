import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  spawnKizuna,
  waitHealthy,
  type ServerProcess,
} from '../helpers/server-process.ts';

const ADMIN = 'restart-test-admin-token';
const dirs: string[] = [];
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(dataDir: string, extra: Record<string, string> = {}) {
  const server = spawnKizuna({
    PORT: String(await freePort()),
    KIZUNA_DATA_DIR: dataDir,
    KIZUNA_ADMIN_TOKEN: ADMIN,
    ...extra,
  });
  running.push(server);
  return server;
}

const api = (server: ServerProcess, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

describe('the Node server on the embedded database', () => {
  it('starts healthy within 10 s, keeps what it wrote across a restart, and stops cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kizuna-restart-'));
    dirs.push(dataDir);
    const first = await start(dataDir, {
      LINE_CHANNEL_ID: '1234567890',
      LINE_CHANNEL_SECRET: '0123456789abcdef0123456789abcdef',
      LINE_CHANNEL_ACCESS_TOKEN: 'x'.repeat(40),
    });
    expect(await waitHealthy(first)).toBeLessThan(10_000);
    const created = await api(first, '/api/bots', {
      method: 'POST',
      body: JSON.stringify({ id: 'second', name: 'Second' }),
    });
    expect(created.status).toBe(201);

    // A second process on the same data directory would corrupt PGlite: it must refuse to start.
    const intruder = await start(dataDir);
    expect(await intruder.exited).toBe(1);
    expect(intruder.output()).toContain('another Kizuna process');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"message":"stopped"');

    const second = await start(dataDir);
    await waitHealthy(second);
    const bots = (await (await api(second, '/api/bots')).json()) as {
      items: Array<{ id: string; hasChannelSecret: boolean }>;
    };
    expect(bots.items.map((b) => b.id).sort()).toEqual(['default', 'second']);
    expect(bots.items.find((b) => b.id === 'default')?.hasChannelSecret).toBe(true);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
