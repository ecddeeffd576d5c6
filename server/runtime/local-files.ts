import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';

/**
 * Files Kizuna keeps beside the embedded database: a lock (PGlite must never be opened by two
 * processes at once, or its files corrupt), and secrets generated on first start so that
 * `npm start` needs no configuration.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'kizuna.pid');
  const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `another Kizuna process (pid ${owner}) is using the embedded database in ${dataDir}; ` +
        'stop it first, or set DATABASE_URL to share a PostgreSQL server between processes',
    );
  }
  await writeFile(path, String(process.pid));
  return () => rm(path, { force: true });
}

/** Reads a secret from the data directory, creating it with `generate()` on first use. */
export async function localSecret(
  dataDir: string,
  name: string,
  generate: () => string,
  logger: Logger,
  warning: string,
): Promise<string> {
  const path = join(dataDir, name);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const value = generate();
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  logger.warn(warning, { file: path });
  return value;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
