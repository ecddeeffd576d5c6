import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createFakeLine } from '../test/fakes/line.ts';
import { percentile, report, runLoad, scale } from './lib/load.ts';
import { admin } from './lib/pg.ts';

/**
 * bench/webhook: signed LINE webhooks (1–5 mixed follow/message/postback events each) posted at
 * concurrency 64 to the Node server on PostgreSQL; acknowledgement throughput and latency, the
 * bare-handler ceiling measured in the same run (first, on a quiet machine), the rate at which the
 * stored events were processed, and a check that every event was stored and
 * processed exactly once.
 */
const NAME = 'webhook';
const CONCURRENCY = 64;
const root = fileURLToPath(new URL('../', import.meta.url));

export async function benchWebhook(): Promise<boolean> {
  const seconds = Math.max(2, Math.round(10 * scale()));
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `kizuna_bench_${Date.now().toString(36)}`;
  await admin(base, `create database ${dbName}`);
  const dbUrl = Object.assign(new URL(base), { pathname: `/${dbName}` }).toString();
  const channel = {
    channelId: '2000000009',
    channelSecret: randomBytes(16).toString('hex'),
    accessToken: `bench-${randomBytes(16).toString('hex')}`,
    botUserId: `U${randomBytes(16).toString('hex')}`,
  };
  const line = createFakeLine({ channels: [channel], rateLimits: { getProfile: 100_000 } });
  const fake = await line.listen(0);
  const children: ChildProcess[] = [];
  try {
    // Requests are built before the clock starts, so the load generator stays light.
    const users = Array.from({ length: 5000 }, () => line.addUser({}, { friendOf: [] }).userId);
    const budget = Math.round(12_000 * seconds);
    const requests = buildRequests(line, users, channel, budget);

    // The ceiling first, on a quiet machine: a bare handler on the same HTTP stack.
    const path = '/webhooks/line/default';
    const barePort = await freePort();
    const bare = fork(new URL('./lib/bare-server.ts', import.meta.url), {
      env: { ...process.env, PORT: String(barePort) },
      execArgv: ['--import', 'tsx'],
    });
    children.push(bare);
    await new Promise((resolve) => bare.once('message', resolve));
    let bareNext = 0;
    await runLoad({
      url: `http://127.0.0.1:${barePort}`,
      path,
      concurrency: CONCURRENCY,
      seconds: 1,
      request: () => requests[bareNext++ % requests.length]!,
    });
    const bareResult = await runLoad({
      url: `http://127.0.0.1:${barePort}`,
      path,
      concurrency: CONCURRENCY,
      seconds,
      request: () => requests[bareNext++ % requests.length]!,
    });
    bare.kill();

    const port = await freePort();
    const role = process.env.BENCH_ROLE ?? 'web';
    const serverEnv = {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: dbUrl,
      KIZUNA_SECRET_KEY: randomBytes(32).toString('base64'),
      KIZUNA_ADMIN_TOKEN: 'bench',
      KIZUNA_LOG_LEVEL: 'warn',
      KIZUNA_ROLE: role,
      LINE_CHANNEL_ID: channel.channelId,
      LINE_CHANNEL_SECRET: channel.channelSecret,
      LINE_CHANNEL_ACCESS_TOKEN: channel.accessToken,
      LINE_API_BASE_URL: fake.url,
      LINE_API_DATA_BASE_URL: fake.url,
    };
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/runtime/node.ts'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: serverEnv,
    });
    children.push(server);
    // The production layout for load: web processes acknowledge, a worker process processes.
    if (role === 'web') {
      const worker = spawn(
        process.execPath,
        ['--import', 'tsx', 'server/runtime/node.ts', '--role=worker'],
        {
          cwd: root,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: { ...serverEnv, KIZUNA_ROLE: 'worker' },
        },
      );
      children.push(worker);
    }
    await waitHealthy(`http://127.0.0.1:${port}`);

    let next = 0;
    const take = () => requests[next++ % requests.length]!;
    const url = `http://127.0.0.1:${port}`;
    const sentEvents: number[] = [];
    const load = (secs: number, max?: number) =>
      runLoad({
        url,
        path,
        concurrency: CONCURRENCY,
        seconds: secs,
        ...(max ? { maxRequests: max } : {}),
        request: () => {
          const r = take();
          sentEvents.push(r.events);
          return r;
        },
      });
    const firstEventAt = performance.now();
    await load(1, Math.floor(requests.length / 10)); // warm-up (JIT, pool, caches); its events count too
    const ours = await load(seconds, requests.length - next);
    if (next > requests.length) throw new Error('request budget exhausted: raise the budget');
    const totalRequests = next;
    const eventsInRun = sentEvents
      .slice(sentEvents.length - ours.requests - ours.errors)
      .reduce((a, b) => a + b, 0);

    // Exactly once: wait for processing to finish, then compare what was stored with what was sent.
    const check = await verify(dbUrl, requests.slice(0, totalRequests), 180_000);
    const processedPerSecond = check.processed / ((performance.now() - firstEventAt) / 1000);
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));

    const eventsPerSecond = eventsInRun / ours.seconds;
    const oursRps = ours.requests / ours.seconds;
    const bareRps = bareResult.requests / bareResult.seconds;
    console.log(
      `${NAME}: ${ours.requests} requests (${eventsInRun} events) in ${ours.seconds.toFixed(1)} s, ${ours.errors} errors; ` +
        `bare handler ${bareRps.toFixed(0)} req/s; processed ${check.processed}/${check.expected} events in ${check.drainSeconds.toFixed(1)} s after the run`,
    );
    let ok = true;
    ok =
      report(
        NAME,
        'events_per_s',
        Math.round(eventsPerSecond),
        '',
        '>=2000',
        eventsPerSecond >= 2000,
      ) && ok;
    ok =
      report(
        NAME,
        'ack_p50',
        percentile(ours.latencies, 50),
        'ms',
        '<=10ms',
        percentile(ours.latencies, 50) <= 10,
      ) && ok;
    ok =
      report(
        NAME,
        'ack_p99',
        percentile(ours.latencies, 99),
        'ms',
        '<=25ms',
        percentile(ours.latencies, 99) <= 25,
      ) && ok;
    ok =
      report(NAME, 'share_of_bare', oursRps / bareRps, '', '>=0.5', oursRps / bareRps >= 0.5) && ok;
    ok =
      report(
        NAME,
        'processed_per_s',
        Math.round(processedPerSecond),
        '',
        '>=2000',
        processedPerSecond >= 2000,
      ) && ok;
    ok = report(NAME, 'errors', ours.errors, '', '=0', ours.errors === 0) && ok;
    ok = report(NAME, 'processed_exactly_once', check.exact ? 1 : 0, '', '=1', check.exact) && ok;
    return ok;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
    await admin(base, `drop database if exists ${dbName} with (force)`).catch(() => {});
  }
}

interface BuiltRequest {
  body: string;
  headers: Record<string, string>;
  events: number;
  messageIds: string[];
  eventIds: string[];
}

function buildRequests(
  line: ReturnType<typeof createFakeLine>,
  users: string[],
  channel: { channelSecret: string; botUserId: string },
  count: number,
): BuiltRequest[] {
  const out: BuiltRequest[] = [];
  let u = 0;
  for (let i = 0; i < count; i++) {
    const n = 1 + (i % 5);
    const events = [];
    const messageIds: string[] = [];
    for (let k = 0; k < n; k++) {
      const userId = users[u++ % users.length]!;
      const kind = (i + k) % 10;
      if (kind === 0) events.push(line.events.follow(userId));
      else if (kind <= 7) {
        const event = line.events.message.text(userId, `注文の確認をお願いします #${i}-${k}`);
        messageIds.push(event.message.id);
        events.push(event);
      } else events.push(line.events.postback(userId, `menu:orders&n=${i}`));
    }
    const body = JSON.stringify({ destination: channel.botUserId, events });
    const signature = createHmac('sha256', channel.channelSecret).update(body).digest('base64');
    out.push({
      body,
      headers: { 'content-type': 'application/json', 'x-line-signature': signature },
      events: n,
      messageIds,
      eventIds: events.map((e) => e.webhookEventId),
    });
  }
  return out;
}

async function verify(url: string, sent: BuiltRequest[], timeoutMs: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  try {
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from line_events where state in ('pending','processing')`,
      );
      if (Number(rows[0]!.n) === 0 || Date.now() - started > timeoutMs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainSeconds = (Date.now() - started) / 1000;
    const expectedEvents = new Set(sent.flatMap((r) => r.eventIds)).size;
    const expectedMessages = new Set(sent.flatMap((r) => r.messageIds)).size;
    const states = await client.query<{ state: string; n: string }>(
      `select state, count(*) as n from line_events group by state`,
    );
    const byState = Object.fromEntries(states.rows.map((r) => [r.state, Number(r.n)]));
    const messages = Number(
      (await client.query<{ n: string }>(`select count(*) as n from messages`)).rows[0]!.n,
    );
    const duplicates = Number(
      (
        await client.query<{ n: string }>(
          `select count(*) - count(distinct line_message_id) as n from messages`,
        )
      ).rows[0]!.n,
    );
    const processed = byState.done ?? 0;
    const exact =
      processed === expectedEvents &&
      messages === expectedMessages &&
      duplicates === 0 &&
      !byState.failed;
    if (!exact)
      console.log(
        `${NAME}: states ${JSON.stringify(byState)}, messages ${messages}/${expectedMessages}, duplicates ${duplicates}`,
      );
    return { expected: expectedEvents, processed, exact, drainSeconds };
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
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
