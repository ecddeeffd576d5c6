import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/server-process.ts';

// Kizuna's processes for bench/webhook, started as `npm start` and `npm run worker` would be.

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The web process (acknowledges) and, on demand, a worker process (processes), as deployed for load. */
export async function startKizuna(
  dbUrl: string,
  channel: { channelId: string; channelSecret: string; accessToken: string },
  lineUrl: string,
) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: dbUrl,
    KIZUNA_SECRET_KEY: randomBytes(32).toString('base64'),
    KIZUNA_ADMIN_TOKEN: 'bench',
    KIZUNA_LOG_LEVEL: 'warn',
    KIZUNA_ROLE: 'web',
    LINE_CHANNEL_ID: channel.channelId,
    LINE_CHANNEL_SECRET: channel.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: channel.accessToken,
    LINE_API_BASE_URL: lineUrl,
    LINE_API_DATA_BASE_URL: lineUrl,
  };
  const spawnRole = (args: string[], role: string) =>
    spawn(
      process.execPath,
      [...profile(role), '--import', 'tsx', 'server/runtime/node.ts', ...args],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...env, KIZUNA_ROLE: role },
      },
    );
  const server = spawnRole([], 'web');
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  return { server, url, startWorker: () => spawnRole(['--role=worker'], 'worker') };
}

/** BENCH_PROFILE=<dir> writes a V8 CPU profile of each Kizuna process there, for `--cpu-prof` tools. */
function profile(role: string): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${role}.cpuprofile`] : [];
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Kizuna did not become healthy');
}
