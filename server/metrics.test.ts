import { describe, expect, it } from 'vitest';
import { parsePrometheus, sample } from '../test/helpers/prometheus.ts';
import { Metrics, type PipelineState } from './metrics.ts';

const state: PipelineState = {
  inbox: { waiting: 4, setAside: 1, oldestWaitingSeconds: 2.5 },
  events: [{ botId: 'shop', state: 'failed', count: 2 }],
  sendingPaused: ['shop'],
};

const scrape = async (metrics: Metrics) => parsePrometheus((await metrics.exposition()).text);

describe('Metrics', () => {
  it('reads the pipeline gauges once per scrape, and empties them when the database fails', async () => {
    const metrics = new Metrics();
    let fail = false;
    let reads = 0;
    metrics.readPipelineFrom(async () => {
      reads++;
      if (fail) throw new Error('connection refused');
      return state;
    });
    const up = await scrape(metrics);
    expect(reads).toBe(1);
    expect(up.get('kizuna_database_up')).toBe(1);
    expect(up.get(sample('kizuna_line_inbox_bodies', { state: 'waiting' }))).toBe(4);
    expect(up.get(sample('kizuna_line_inbox_bodies', { state: 'set_aside' }))).toBe(1);
    expect(up.get('kizuna_line_inbox_lag_seconds')).toBe(2.5);
    expect(up.get(sample('kizuna_line_events', { bot: 'shop', state: 'failed' }))).toBe(2);
    expect(up.get(sample('kizuna_line_sending_paused', { bot: 'shop' }))).toBe(1);

    fail = true;
    const down = await scrape(metrics);
    expect(down.get('kizuna_database_up')).toBe(0);
    expect(down.get(sample('kizuna_line_inbox_bodies', { state: 'waiting' }))).toBeUndefined();
    expect(
      down.get(sample('kizuna_line_events', { bot: 'shop', state: 'failed' })),
    ).toBeUndefined();
    expect(down.get('kizuna_line_inbox_lag_seconds')).toBe(0);
    expect(down.get(sample('kizuna_line_sending_paused', { bot: 'shop' }))).toBeUndefined();
  });

  it('counts webhook answers, events, LINE calls and outcomes; process figures only when asked', async () => {
    const metrics = new Metrics();
    metrics.webhookAnswered(200, 0.002, { botId: 'shop', events: 3 });
    metrics.webhookAnswered(200, 0.004, { botId: 'shop', events: 2 });
    metrics.webhookAnswered(401, 0.0001);
    metrics.lineCall('shop', 'pushMessage', 'rate_limited');
    metrics.eventsProcessed('done', 5);
    metrics.eventsProcessed('ignored', 0);
    const s = await scrape(metrics);
    expect(s.get(sample('kizuna_line_webhook_requests_total', { status: '200' }))).toBe(2);
    expect(s.get(sample('kizuna_line_webhook_requests_total', { status: '401' }))).toBe(1);
    expect(s.get(sample('kizuna_line_webhook_events_total', { bot: 'shop' }))).toBe(5);
    expect(s.get('kizuna_line_webhook_answer_seconds_count')).toBe(3);
    expect(s.get(sample('kizuna_line_webhook_answer_seconds_bucket', { le: '0.0025' }))).toBe(2);
    expect(
      s.get(
        sample('kizuna_line_api_requests_total', {
          bot: 'shop',
          call: 'pushMessage',
          outcome: 'rate_limited',
        }),
      ),
    ).toBe(1);
    expect(s.get(sample('kizuna_line_events_processed_total', { outcome: 'done' }))).toBe(5);
    expect(s.get(sample('kizuna_line_events_processed_total', { outcome: 'ignored' }))).toBe(
      undefined,
    );
    // Nothing wired to read the pipeline from: `up` keeps its initial 0.
    expect(s.get('kizuna_database_up')).toBe(0);
    expect(s.has('process_cpu_user_seconds_total')).toBe(false);
    expect(
      (await scrape(new Metrics({ processMetrics: true }))).has('process_cpu_user_seconds_total'),
    ).toBe(true);
  });
});
