import { randomUUID } from 'node:crypto';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFake, text, type Harness } from './line/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startFake();
});
afterEach(async () => {
  await h.close();
});

const sdk = () =>
  new messagingApi.MessagingApiClient({
    channelAccessToken: h.channels[0]!.accessToken,
    baseURL: h.url,
  });

async function sdkError(p: Promise<unknown>): Promise<HTTPFetchError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HTTPFetchError);
  return e as HTTPFetchError;
}

describe('limits and faults', () => {
  it('rate-limits per channel and endpoint within a one-second window', async () => {
    await h.close();
    h = await startFake({ rateLimits: { getBotInfo: 3 } });
    for (let i = 0; i < 3; i++) expect((await h.call('GET', '/v2/bot/info')).status).toBe(200);
    const limited = await h.call('GET', '/v2/bot/info');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      message: 'The API rate limit has been exceeded. Try again later.',
    });
    expect(
      (await h.call('GET', '/v2/bot/info', { token: h.channels[1]!.accessToken })).status,
    ).toBe(200);
    expect((await h.call('GET', '/v2/bot/message/quota')).status).toBe(200);
    h.clock.advance(1000);
    expect((await h.call('GET', '/v2/bot/info')).status).toBe(200);
    expect(h.line.rejected.map((r) => r.reason)).toEqual(['rateLimit']);
  });

  it('defaults multicast to LINE’s 200 requests per second', async () => {
    const to = [h.line.addUser().userId];
    const results = await Promise.all(
      Array.from({ length: 201 }, () =>
        h.call('POST', '/v2/bot/message/multicast', { body: { to, messages: [text()] } }),
      ),
    );
    expect(results.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('answers 429 with the monthly-limit message when the quota is spent', async () => {
    const channelId = h.channels[0]!.channelId;
    h.line.setMonthlyQuota(channelId, 2);
    const [a, b, c] = [h.line.addUser(), h.line.addUser(), h.line.addUser()];
    expect(await sdk().getMessageQuota()).toEqual({ type: 'limited', value: 2 });
    await sdk().multicast({ to: [a.userId, b.userId], messages: [text()] });
    const e = await sdkError(sdk().pushMessage({ to: c.userId, messages: [text()] }));
    expect(e.status).toBe(429);
    expect(JSON.parse(e.body)).toEqual({ message: 'You have reached your monthly limit.' });
    expect(await sdk().getMessageQuotaConsumption()).toEqual({ totalUsage: 2 });
    h.clock.advance(31 * 24 * 3600 * 1000); // next month starts from zero
    await sdk().pushMessage({ to: c.userId, messages: [text()] });
  });

  it('injects faults in order, `times` each, matching by path', async () => {
    h.line.inject({ path: /^\/v2\/bot\/info$/, status: 503, times: 2 });
    h.line.inject({ status: 500, body: { message: 'boom' } });
    expect((await h.call('GET', '/v2/bot/message/quota')).status).toBe(500);
    expect((await h.call('GET', '/v2/bot/info')).status).toBe(503);
    expect((await h.call('GET', '/v2/bot/info')).status).toBe(503);
    expect((await h.call('GET', '/v2/bot/info')).status).toBe(200);
    expect(h.line.rejected.map((r) => [r.reason, r.status])).toEqual([
      ['fault', 500],
      ['fault', 503],
      ['fault', 503],
    ]);
  });

  it('hangs for timeoutMs, and never answers with Infinity', async () => {
    h.line.inject({ path: '/v2/bot/info', timeoutMs: 150, status: 500 });
    const t0 = performance.now();
    expect((await h.call('GET', '/v2/bot/info')).status).toBe(500);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);

    h.line.inject({ path: '/v2/bot/info', timeoutMs: Infinity });
    const hung = fetch(`${h.url}/v2/bot/info`, {
      headers: { authorization: `Bearer ${h.channels[0]!.accessToken}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
  });

  it('`accept` processes the request and loses the answer, so the retry gets 409', async () => {
    const user = h.line.addUser();
    const key = randomUUID();
    h.line.inject({ path: '/v2/bot/message/push', status: 500, accept: true });
    expect(
      (await sdkError(sdk().pushMessage({ to: user.userId, messages: [text()] }, key))).status,
    ).toBe(500);
    expect(h.line.deliveries).toHaveLength(1);
    expect(
      (await sdkError(sdk().pushMessage({ to: user.userId, messages: [text()] }, key))).status,
    ).toBe(409);
    expect(h.line.deliveries).toHaveLength(1);
  });
});
