// Shared set-up for the fake LINE's own tests: two channels, a controllable clock, a running
// server and fetch helpers that speak to it the way a bot server would.
import { randomBytes } from 'node:crypto';
import { createFakeLine, type FakeLine, type FakeLineOptions } from '../line.ts';

export const hex = (n: number) => randomBytes(n).toString('hex');

export function testChannels() {
  return [1, 2].map((i) => ({
    channelId: `200000000${i}`,
    channelSecret: hex(16),
    accessToken: `token-${i}-${hex(8)}`,
    botUserId: `U${hex(16)}`,
  }));
}

export interface Harness {
  line: FakeLine;
  url: string;
  channels: ReturnType<typeof testChannels>;
  clock: { t: number; advance(ms: number): void };
  call(
    method: string,
    path: string,
    init?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startFake(options: Partial<FakeLineOptions> = {}): Promise<Harness> {
  const channels = testChannels();
  const clock = {
    t: Date.UTC(2026, 10, 20, 3, 0, 0),
    advance(ms: number) {
      clock.t += ms;
    },
  };
  const line = createFakeLine({ channels, now: () => clock.t, ...options });
  const server = await line.listen(0);
  return {
    line,
    url: server.url,
    channels,
    clock,
    close: () => server.close(),
    call(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.token === undefined ? channels[0]!.accessToken : init.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(server.url + path, { method, headers, body });
    },
  };
}

export const text = (t = 'こんにちは') => ({ type: 'text' as const, text: t });
