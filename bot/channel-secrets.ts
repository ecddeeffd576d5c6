import type { BotRepository } from '../db/bots.ts';

/**
 * Channel secrets for webhook verification, cached briefly: every webhook needs one, and reading
 * plus decrypting it per request would dominate the acknowledgement time. A change made through
 * this process's API is seen at once (invalidate); one made by another process within `ttlMs`.
 */
export class ChannelSecrets {
  private readonly cache = new Map<string, { secret: string | null; expires: number }>();

  constructor(
    private readonly bots: BotRepository,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached answer of `get` while it is fresh, without waiting; undefined otherwise. */
  peek(botId: string): { secret: string | null } | undefined {
    const hit = this.cache.get(botId);
    return hit && hit.expires > this.now() ? hit : undefined;
  }

  /** The bot's channel secret; null when the bot has none; undefined when there is no such bot. */
  async get(botId: string): Promise<string | null | undefined> {
    const hit = this.peek(botId);
    if (hit) return hit.secret;
    const credentials = await this.bots.credentials(botId);
    if (!credentials) {
      this.cache.delete(botId);
      return undefined;
    }
    this.cache.set(botId, { secret: credentials.channelSecret, expires: this.now() + this.ttlMs });
    return credentials.channelSecret;
  }

  invalidate(botId: string): void {
    this.cache.delete(botId);
  }
}
