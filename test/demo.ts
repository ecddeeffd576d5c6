// `npm run demo`: Kizuna against the fake LINE platform, with simulated friends following,
// chatting and tapping the rich menu, so a newcomer sees it work without a LINE account.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeLine } from './fakes/line.ts';

const port = Number(process.env.PORT ?? 3000);
const admin = 'demo-admin-token';
const exitAfterMs = Number(process.env.DEMO_EXIT_AFTER_MS ?? 0);
const channel = {
  channelId: '2000000042',
  channelSecret: '6b697a756e612d64656d6f2d73656372',
  accessToken: 'demo-channel-access-token-0123456789',
  botUserId: `U${'d'.repeat(32)}`,
};

const names = [
  '佐藤 美咲',
  '鈴木 陽翔',
  '高橋 結衣',
  '田中 蓮',
  '伊藤 さくら',
  '渡辺 大翔',
  '山本 葵',
  '中村 湊',
];
const phrases = [
  '注文した商品はいつ届きますか？',
  '定期便のお届け日を変更したいです',
  'ありがとうございました！',
  'クーポンは使えますか？',
  '住所を変更しました',
];

const line = createFakeLine({ channels: [channel] });
const fake = await line.listen(0);
const dataDir = await mkdtemp(join(tmpdir(), 'kizuna-demo-'));
// Its own process group: Ctrl-C in the terminal reaches the demo alone, which then stops Kizuna
// with one signal. Sharing the group, Kizuna got the terminal's SIGINT and the demo's SIGTERM, took
// the second for an impatient operator and exited at once, without closing its database.
const kizuna = spawn(process.execPath, ['--import', 'tsx', 'server/runtime/node.ts'], {
  cwd: fileURLToPath(new URL('../', import.meta.url)),
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PORT: String(port),
    KIZUNA_DATA_DIR: dataDir,
    KIZUNA_ADMIN_TOKEN: admin,
    KIZUNA_LOG_LEVEL: 'warn',
    LINE_CHANNEL_ID: channel.channelId,
    LINE_CHANNEL_SECRET: channel.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: channel.accessToken,
    LINE_API_BASE_URL: fake.url,
    LINE_API_DATA_BASE_URL: fake.url,
  },
});

const base = `http://localhost:${port}`;
const friendsActing: { timer?: ReturnType<typeof setInterval> } = {};
let stopping: Promise<void> | undefined;
/** Stops everything once, however many signals and exits ask for it. */
const stop = (code: number) =>
  (stopping ??= (async () => {
    clearInterval(friendsActing.timer);
    if (kizuna.exitCode === null && kizuna.signalCode === null) {
      kizuna.kill('SIGTERM');
      await new Promise((resolve) => kizuna.once('exit', resolve));
    }
    await fake.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(code);
  })());
// Should the demo itself die, Kizuna (in its own process group) must not outlive it.
process.on('exit', () => {
  if (kizuna.exitCode === null && kizuna.signalCode === null) kizuna.kill('SIGKILL');
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
kizuna.once('exit', (code) => {
  if (code !== 0 && code !== null) {
    console.error(`Kizuna exited with code ${code}`);
    void stop(1);
  }
});

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    // still starting
  }
  if (i > 300) {
    console.error('Kizuna did not start within 30 s');
    await stop(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

console.log(`
Kizuna demo is running at ${base} with a simulated LINE platform.
Friends are following and chatting; look at what Kizuna stored:

  curl -H "Authorization: Bearer ${admin}" ${base}/api/bots/default
  curl -H "Authorization: Bearer ${admin}" ${base}/api/bots/default/friends
  curl -H "Authorization: Bearer ${admin}" ${base}/api/bots/default/conversations
  open ${base}/api/openapi.json

Press Ctrl-C to stop (the demo's data is thrown away).
`);

const friends: string[] = [];
const webhook = `${base}/webhooks/line/default`;
let tick = 0;
const act = async () => {
  tick += 1;
  const roll = tick <= 3 ? 0 : Math.random();
  let what: string;
  let userId: string;
  if (roll < 0.25 && friends.length < names.length) {
    const name = names[friends.length]!;
    userId = line.addUser({ displayName: name, language: 'ja' }, { friendOf: [] }).userId;
    friends.push(userId);
    await line.sendWebhook(webhook, channel.channelId, [line.events.follow(userId)]);
    what = `${name} added the shop as a friend`;
  } else {
    userId = friends[Math.floor(Math.random() * friends.length)]!;
    const name = line.getProfile(userId)?.displayName ?? userId;
    if (roll < 0.75) {
      const text = phrases[Math.floor(Math.random() * phrases.length)]!;
      await line.sendWebhook(webhook, channel.channelId, [line.events.message.text(userId, text)]);
      what = `${name}: ${text}`;
    } else if (roll < 0.85) {
      await line.sendWebhook(webhook, channel.channelId, [line.events.message.sticker(userId)]);
      what = `${name} sent a sticker`;
    } else {
      await line.sendWebhook(webhook, channel.channelId, [
        line.events.postback(userId, 'menu:orders'),
      ]);
      what = `${name} tapped "購入履歴" on the rich menu`;
    }
  }
  console.log(`[demo] ${what}`);
};
friendsActing.timer = setInterval(
  () => void act().catch((error: unknown) => console.error('[demo]', error)),
  1500,
);
if (exitAfterMs > 0) setTimeout(() => void stop(0), exitAfterMs);
