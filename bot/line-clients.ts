import type { BotRepository } from '../db/bots.ts';
import { createLineClient, type LineCallOutcome } from './line-client.ts';
import { LineApiError, type LinePort } from './line-port.ts';

export interface LineEndpoints {
  /** Messaging API host (default https://api.line.me); the fake LINE in tests and the demo. */
  baseURL?: string | undefined;
  /** Data host for content (default https://api-data.line.me). */
  dataBaseURL?: string | undefined;
}

/**
 * One LINE client per bot, kept for the life of the process so its request throttle is shared by
 * every caller; rebuilt when the bot's access token changes.
 */
export class LineClients {
  private readonly clients = new Map<string, { token: string; client: LinePort }>();

  constructor(
    private readonly bots: BotRepository,
    private readonly endpoints: LineEndpoints = {},
    /** Told how each request of each bot ended (metrics). */
    private readonly onAnswer?: (botId: string, op: string, outcome: LineCallOutcome) => void,
  ) {}

  async get(botId: string): Promise<LinePort> {
    const credentials = await this.bots.credentials(botId);
    const token = credentials?.channelAccessToken;
    if (!token)
      throw new LineApiError('unauthorized', undefined, `bot ${botId} has no channel access token`);
    const cached = this.clients.get(botId);
    if (cached?.token === token) return cached.client;
    const client = createLineClient({
      channelAccessToken: token,
      ...(this.endpoints.baseURL ? { baseURL: this.endpoints.baseURL } : {}),
      ...(this.endpoints.dataBaseURL ? { dataBaseURL: this.endpoints.dataBaseURL } : {}),
      ...(this.onAnswer ? { onAnswer: this.onAnswer.bind(undefined, botId) } : {}),
    });
    this.clients.set(botId, { token, client });
    return client;
  }
}
