import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../db/secret-box.ts';
import { JobQueue } from '../../jobs/queue.ts';
import { silentLogger } from '../../server/logger.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { parsePrometheus, sample } from '../helpers/prometheus.ts';

const bundle = fileURLToPath(new URL('../../dist/worker/worker.js', import.meta.url));
const ADMIN = 'worker-admin-token';
let t: TestDb;
let mf: Miniflare;

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error('run `npm run build:worker` first');
  t = await openTestDb();
  // What `npm run migrate` does before a deploy: our tables (done by openTestDb) and the queue's.
  const queue = new JobQueue({ db: t.db, definitions: [], logger: silentLogger });
  await queue.start();
  await queue.stop();
  // Hyperdrive's local connection string insists on a password; the local server trusts any.
  const hyperdrive = new URL(t.url!);
  hyperdrive.password ||= 'postgres';
  mf = new Miniflare({
    scriptPath: bundle,
    modules: true,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    hyperdrives: { HYPERDRIVE: hyperdrive.toString() },
    bindings: { KIZUNA_SECRET_KEY: SecretBox.generateKey(), KIZUNA_ADMIN_TOKEN: ADMIN },
  });
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
  await t?.close();
});

describe('the Workers bundle in workerd', () => {
  it('answers /healthz with its database check going through Hyperdrive to PostgreSQL', async () => {
    const res = await mf.dispatchFetch('http://kizuna.test/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      database: { ok: true, dialect: 'postgres' },
    });
  });

  it('serves the staff API and writes to the same database', async () => {
    const res = await mf.dispatchFetch('http://kizuna.test/api/bots', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'from-worker',
        name: 'Made on Workers',
        channelSecret: '0123456789abcdef0123456789abcdef',
      }),
    });
    expect(res.status).toBe(201);
    const rows = await sql<{
      id: string;
      sealed: string;
    }>`select id, channel_secret_sealed as sealed from bots`.execute(t.db.kysely);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ id: 'from-worker' });
    expect(rows.rows[0]!.sealed).toMatch(/^v1\./);
    expect((await mf.dispatchFetch('http://kizuna.test/api/bots')).status).toBe(401);
  });

  it('serves /metrics with the pipeline read through Hyperdrive', async () => {
    expect((await mf.dispatchFetch('http://kizuna.test/metrics')).status).toBe(401);
    const res = await mf.dispatchFetch('http://kizuna.test/metrics', {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    const samples = parsePrometheus(await res.text());
    expect(samples.get('kizuna_database_up')).toBe(1);
    expect(samples.get(sample('kizuna_line_inbox_bodies', { state: 'waiting' }))).toBe(0);
  });

  it('runs its Cron Trigger without error', async () => {
    const worker = (await mf.getWorker()) as unknown as {
      scheduled(options: { cron: string }): Promise<{ outcome: string }>;
    };
    const result = await worker.scheduled({ cron: '* * * * *' });
    expect(result.outcome).toBe('ok');
  });
});
