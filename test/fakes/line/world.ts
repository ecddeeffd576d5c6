// The state the fake platform keeps: channels, simulated users and who is whose friend,
// monthly quotas, retry keys, reply tokens, media content and everything delivered.
import { newUserId } from './ids.ts';
import type { Delivery, FakeChannel, UserProfile } from './types.ts';

const NAMES = [
  '佐藤 花子',
  '鈴木 一郎',
  '高橋 美咲',
  '田中 健太',
  '伊藤 さくら',
  '渡辺 翔',
  '山本 結衣',
  '中村 大輔',
];
const DAY = 24 * 3600 * 1000;

export interface ReplyToken {
  userId: string;
  channelId?: string;
  issuedAt: number;
  used: boolean;
}

export interface Content {
  bytes: Uint8Array;
  contentType: string;
}

export type World = ReturnType<typeof createWorld>;

export function createWorld(channels: FakeChannel[], now: () => number) {
  if (channels.length === 0) throw new Error('createFakeLine needs at least one channel');
  const defaultChannel = channels[0]!.channelId;
  const profiles = new Map<string, UserProfile>();
  // Map order is follow order, which is the order follower IDs are listed in.
  const friendship = new Map<string, Map<string, 'friend' | 'blocked'>>();
  const quotas = new Map<string, number>();
  const usage = new Map<string, number>();
  const retryKeys = new Map<string, { requestId: string; at: number; sentMessages?: unknown }>();
  const replyTokens = new Map<string, ReplyToken>();
  const contents = new Map<string, Content>();
  const deliveries: Delivery[] = [];

  const friendsOf = (channelId: string) => {
    let m = friendship.get(channelId);
    if (!m) friendship.set(channelId, (m = new Map()));
    return m;
  };
  // LINE's billing month is Japan time.
  const month = () => new Date(now() + 9 * 3600 * 1000).toISOString().slice(0, 7);

  const users = {
    /** A simulated LINE user, by default already a friend of every channel. */
    add(profile: Partial<UserProfile> = {}, opts: { friendOf?: string[] } = {}): UserProfile {
      const userId = profile.userId ?? newUserId();
      const n = profiles.size;
      const user: UserProfile = {
        displayName: NAMES[n % NAMES.length]!,
        pictureUrl: `https://profile.line.invalid/${userId}`,
        language: 'ja',
        ...profile,
        userId,
      };
      profiles.set(userId, user);
      for (const ch of opts.friendOf ?? channels.map((c) => c.channelId)) users.follow(userId, ch);
      return user;
    },
    get: (userId: string) => profiles.get(userId),
    list: () => [...profiles.values()],
    /** Adds as friend, or unblocks; moves the user to the end of the follower list. */
    follow(userId: string, channelId = defaultChannel) {
      if (!profiles.has(userId)) users.add({ userId }, { friendOf: [] });
      const m = friendsOf(channelId);
      m.delete(userId);
      m.set(userId, 'friend');
    },
    block(userId: string, channelId = defaultChannel) {
      friendsOf(channelId).set(userId, 'blocked');
    },
    isFriend: (userId: string, channelId = defaultChannel) =>
      friendsOf(channelId).get(userId) === 'friend',
    /** Was a friend and blocked: a follow now is an unblock (follow.isUnblocked). */
    isBlocked: (userId: string, channelId = defaultChannel) =>
      friendsOf(channelId).get(userId) === 'blocked',
    friends: (channelId = defaultChannel) =>
      [...friendsOf(channelId)].filter(([, s]) => s === 'friend').map(([id]) => id),
  };

  return {
    channels,
    defaultChannel,
    users,
    deliveries,
    contents,
    replyTokens,
    channelByToken: (token: string) => channels.find((c) => c.accessToken === token),
    channel: (channelId: string) => {
      const c = channels.find((x) => x.channelId === channelId);
      if (!c) throw new Error(`unknown channel ${channelId}`);
      return c;
    },

    setMonthlyQuota(channelId: string, n: number | null) {
      if (n === null) quotas.delete(channelId);
      else quotas.set(channelId, n);
    },
    quota: (channelId: string) => quotas.get(channelId),
    usage: (channelId: string) => usage.get(`${channelId}|${month()}`) ?? 0,
    /** False (and nothing counted) when n more messages would pass the monthly limit. */
    consume(channelId: string, n: number): boolean {
      const limit = quotas.get(channelId);
      const used = usage.get(`${channelId}|${month()}`) ?? 0;
      if (limit !== undefined && used + n > limit) return false;
      usage.set(`${channelId}|${month()}`, used + n);
      return true;
    },

    // "The retry key is valid for 24 hours after attempting the first request."
    acceptedRetryKey(channelId: string, key: string) {
      const k = retryKeys.get(`${channelId}|${key}`);
      return k && now() - k.at < DAY ? k : undefined;
    },
    rememberRetryKey(channelId: string, key: string, requestId: string, sentMessages?: unknown) {
      retryKeys.set(`${channelId}|${key}`, { requestId, at: now(), sentMessages });
    },

    reset() {
      profiles.clear();
      friendship.clear();
      quotas.clear();
      usage.clear();
      retryKeys.clear();
      replyTokens.clear();
      contents.clear();
      deliveries.length = 0;
    },
  };
}
