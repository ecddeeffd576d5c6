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
import { waitFor } from '../helpers/wait.ts';

const ADMIN = 'crash-test-admin-token';
let dataDir = '';
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a process killed in the middle of writing', () => {
  it('loses nothing it committed and leaves the embedded database usable', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kizuna-crash-'));
    const writer = spawnKizuna(
      { KIZUNA_DATA_DIR: dataDir, KIZUNA_ADMIN_TOKEN: ADMIN },
      'test/helpers/crash-writer.ts',
    );
    running.push(writer);
    const committed = () =>
      [...writer.output().matchAll(/committed (crash-\d+)/g)].map((m) => m[1]!);
    await waitFor(() => committed().length >= 150, 30_000);
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acknowledged = committed();

    const server = spawnKizuna({
      PORT: String(await freePort()),
      KIZUNA_DATA_DIR: dataDir,
      KIZUNA_ADMIN_TOKEN: ADMIN,
    });
    running.push(server);
    await waitHealthy(server);
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const listed = (await (await fetch(`${server.url}/api/bots`, { headers })).json()) as {
      items: Array<{ id: string }>;
    };
    const stored = new Set(listed.items.map((b) => b.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // At most the one write in flight at the kill may have committed without being acknowledged.
    expect(stored.size - acknowledged.length).toBeLessThanOrEqual(1);

    const after = await fetch(`${server.url}/api/bots`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: 'after-crash', name: 'After' }),
    });
    expect(after.status).toBe(201);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
