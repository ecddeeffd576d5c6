import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../helpers/server-process.ts';
import { waitFor } from '../helpers/wait.ts';

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run demo', () => {
  it('runs Kizuna against the fake LINE, with simulated friends that Kizuna stores', async () => {
    const port = await freePort();
    const demo = spawn(process.execPath, ['--import', 'tsx', 'test/demo.ts'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: String(port), DEMO_EXIT_AFTER_MS: '30000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(demo);
    let output = '';
    demo.stdout.on('data', (chunk) => (output += chunk));
    demo.stderr.on('data', (chunk) => (output += chunk));
    await waitFor(() => (output.match(/added the shop as a friend/g) ?? []).length >= 3, 30_000);

    const headers = { authorization: 'Bearer demo-admin-token' };
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/bots/default/friends`, { headers });
      const body = (await res.json()) as { items?: Array<{ displayName: string | null }> };
      return (body.items ?? []).filter((f) => f.displayName).length >= 3;
    }, 15_000);

    demo.kill('SIGINT');
    const code = await new Promise((resolve) => demo.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).not.toMatch(/Error|exited with code/);
  });

  it('stops cleanly on Ctrl-C in a terminal (SIGINT to the whole process group), data removed', async () => {
    const port = await freePort();
    const demo = spawn(process.execPath, ['--import', 'tsx', 'test/demo.ts'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a group of its own, as a shell gives a foreground job
    });
    children.push(demo);
    let output = '';
    demo.stdout.on('data', (chunk) => (output += chunk));
    demo.stderr.on('data', (chunk) => (output += chunk));
    await waitFor(() => /added the shop as a friend/.test(output), 30_000);
    const dataDir = /"file":"([^"]+)[\\/]secret\.key"/.exec(output)?.[1];
    expect(dataDir && existsSync(dataDir)).toBe(true);

    process.kill(-demo.pid!, 'SIGINT');
    const code = await new Promise((resolve) => demo.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).not.toMatch(/Error|exited with code|second signal/);
    expect(existsSync(dataDir!)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
