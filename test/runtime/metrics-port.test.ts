import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePrometheus } from '../helpers/prometheus.ts';
import { freePort, spawnKizuna, type ServerProcess } from '../helpers/server-process.ts';

const ADMIN = 'metrics-port-admin-token';
const SCRAPER = 'metrics-port-scraper-token';
const dirs: string[] = [];
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function startWorker(metricsPort: number): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kizuna-metrics-'));
  dirs.push(dataDir);
  const worker = spawnKizuna(
    {
      PORT: String(await freePort()),
      KIZUNA_DATA_DIR: dataDir,
      KIZUNA_ADMIN_TOKEN: ADMIN,
      KIZUNA_METRICS_TOKEN: SCRAPER,
      KIZUNA_METRICS_PORT: String(metricsPort),
    },
    'server/runtime/node.ts',
    ['--role=worker'],
  );
  running.push(worker);
  return worker;
}

/** GET on the metrics port once it listens. */
async function getWhenUp(worker: ServerProcess, url: string, init: RequestInit = {}) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
    try {
      return await fetch(url, init);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('KIZUNA_METRICS_PORT', () => {
  it('lets a worker process, which serves no HTTP otherwise, be scraped', async () => {
    const port = await freePort();
    const worker = await startWorker(port);
    const url = `http://127.0.0.1:${port}`;
    expect((await getWhenUp(worker, `${url}/metrics`)).status).toBe(401);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${SCRAPER}` } });
    expect(res.status).toBe(200);
    const samples = parsePrometheus(await res.text());
    expect(samples.get('kizuna_database_up')).toBe(1);
    // The Node process's own figures come with them.
    expect(samples.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Only /metrics is served there: not the API, not health.
    const other = await fetch(`${url}/api/bots`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'not_found' } });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('refuses to start on a port already taken, naming the variable', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const worker = await startWorker(port);
      expect(await worker.exited).toBe(1);
      expect(worker.output()).toContain(`KIZUNA_METRICS_PORT: ${port} cannot be used`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
