import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../db/secret-box.ts';
import { createFakeLine, type FakeLine } from '../fakes/line.ts';
import { testChannels } from '../fakes/line/harness.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { spawnKizuna } from '../helpers/server-process.ts';

let line: FakeLine;
let fake: { url: string; close(): Promise<void> };
let dataDir: string;
let t: TestDb | undefined;
const channel = testChannels()[0]!;
let env: Record<string, string>;

beforeAll(async () => {
  line = createFakeLine({ channels: [channel] });
  fake = await line.listen(0);
  dataDir = await mkdtemp(join(tmpdir(), 'kizuna-menus-'));
  env = {
    KIZUNA_DATA_DIR: dataDir,
    KIZUNA_LOG_LEVEL: 'error',
    LINE_CHANNEL_ID: channel.channelId,
    LINE_CHANNEL_SECRET: channel.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: channel.accessToken,
    LINE_API_BASE_URL: fake.url,
    LINE_API_DATA_BASE_URL: fake.url,
  };
  // On the PostgreSQL run the command uses its own database there, as a deployment would.
  if (process.env.TEST_DATABASE_URL) {
    t = await openTestDb({ migrate: false });
    env.DATABASE_URL = t.url!;
    env.KIZUNA_SECRET_KEY = SecretBox.generateKey();
  }
});
afterAll(async () => {
  await fake.close();
  await t?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const p = spawnKizuna(env, 'rich-menus/apply.ts', args);
  const code = await p.exited;
  return { code, output: p.output() };
}

describe('npm run rich-menus -- apply', () => {
  it('applies the menus to the bot configured as `npm start` would, then finds nothing to do', async () => {
    const first = await run('apply', '--bot', 'default');
    expect(first.output).toContain('"created"');
    expect(first.code).toBe(0);
    expect(line.richMenus.list()).toHaveLength(3);
    const before = line.accepted.length;
    const second = await run('apply', '--bot', 'default');
    expect(second.code).toBe(0);
    expect(second.output).toContain('rich menus of default are up to date');
    expect(line.accepted.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('says how to use it, and names an unknown bot', async () => {
    expect((await run('apply')).code).toBe(2);
    const unknown = await run('apply', '--bot', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('no bot "nope"');
  });
});
