import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
} from 'prom-client';
import type { LineCallOutcome } from '../bot/line-client.ts';
import type { ProcessedOutcome } from '../bot/inbox-processor.ts';

/** LINE traffic as the database sees it (webhooks in, sending out), whichever process asks. */
export interface PipelineState {
  inbox: { waiting: number; setAside: number; oldestWaitingSeconds: number };
  /** Events not done, per bot and state. */
  events: Array<{ botId: string; state: 'pending' | 'processing' | 'failed'; count: number }>;
  /** Bots whose sending is paused (LINE's monthly limit). */
  sendingPaused: string[];
}

export type PipelineSource = () => Promise<PipelineState>;

export interface MetricsOptions {
  /** Node's own figures (CPU, memory, event-loop delay, GC): only where a process lives on. */
  processMetrics?: boolean;
}

/**
 * Kizuna's metrics (F10.3) in Prometheus' format, on a registry of their own (no global state).
 *
 * Two kinds: counters of what this process did (webhook answers, LINE calls, events processed),
 * which Prometheus sums over the processes it scrapes; and gauges read from the database at each
 * scrape (inbox backlog and lag, unfinished and failed events, bots whose sending is paused), which
 * are the same whichever process answers. On Workers, where nothing outlives a request, only the
 * gauges mean anything.
 */
export class Metrics {
  readonly registry = new Registry();
  private source: PipelineSource | undefined;

  private readonly webhookRequests = this.counter({
    name: 'kizuna_line_webhook_requests_total',
    help: 'LINE webhook requests answered after reading the body, by HTTP status',
    labelNames: ['status'] as const,
  });
  private readonly webhookEvents = this.counter({
    name: 'kizuna_line_webhook_events_total',
    help: 'LINE webhook events acknowledged (stored in the inbox), by bot',
    labelNames: ['bot'] as const,
  });
  private readonly webhookSeconds = new Histogram({
    name: 'kizuna_line_webhook_answer_seconds',
    help: 'Time from a webhook body read to its answer: checks and the durable append (LINE allows 2 s)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  private readonly processed = this.counter({
    name: 'kizuna_line_events_processed_total',
    help: 'LINE events the worker finished: done, ignored (stored only), retrying or failed for good',
    labelNames: ['outcome'] as const,
  });
  private readonly lineCalls = this.counter({
    name: 'kizuna_line_api_requests_total',
    help: 'Requests to the LINE API by bot, operation (messaging-api.yml operationId) and outcome',
    labelNames: ['bot', 'call', 'outcome'] as const,
  });

  // Label children are looked up once: the webhook path runs these on every request.
  private readonly byStatus = new Map<number, Counter.Internal>();
  private readonly byBot = new Map<string, Counter.Internal>();

  private readonly up = this.gauge({
    name: 'kizuna_database_up',
    help: '1 when the database answered this scrape; 0 when not, and the pipeline gauges are then empty (lag 0)',
  });
  private readonly inbox = this.gauge({
    name: 'kizuna_line_inbox_bodies',
    help: 'Acknowledged webhook bodies in the inbox: waiting for the worker, or set aside unreadable',
    labelNames: ['state'] as const,
  });
  private readonly lag = this.gauge({
    name: 'kizuna_line_inbox_lag_seconds',
    help: 'Age of the oldest webhook body waiting for the worker (0 when none): processing lag',
  });
  private readonly events = this.gauge({
    name: 'kizuna_line_events',
    help: 'LINE events not done, by bot and state (pending: waiting or retrying; failed: for good)',
    labelNames: ['bot', 'state'] as const,
  });

  private readonly paused = this.gauge({
    name: 'kizuna_line_sending_paused',
    help: "1 for a bot whose sending stopped at LINE's monthly limit, until staff clear it",
    labelNames: ['bot'] as const,
  });

  constructor(options: MetricsOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the pipeline gauges are read from (set once the database is wired). */
  readPipelineFrom(source: PipelineSource): void {
    this.source = source;
  }

  /** A webhook request answered: its status, and for a stored one its bot and event count. */
  webhookAnswered(status: number, seconds: number, stored?: { botId: string; events: number }) {
    let counter = this.byStatus.get(status);
    if (!counter) {
      counter = this.webhookRequests.labels(String(status));
      this.byStatus.set(status, counter);
    }
    counter.inc();
    this.webhookSeconds.observe(seconds);
    if (!stored) return;
    let events = this.byBot.get(stored.botId);
    if (!events) {
      events = this.webhookEvents.labels(stored.botId);
      this.byBot.set(stored.botId, events);
    }
    events.inc(stored.events);
  }

  eventsProcessed(outcome: ProcessedOutcome, count: number): void {
    if (count > 0) this.processed.inc({ outcome }, count);
  }

  lineCall(botId: string, call: string, outcome: LineCallOutcome): void {
    this.lineCalls.inc({ bot: botId, call, outcome });
  }

  /** The text a scrape gets, and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    await this.readPipeline();
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** Sets the pipeline gauges from one database read; a failed read leaves them out. */
  private async readPipeline(): Promise<void> {
    if (!this.source) return;
    let state: PipelineState | undefined;
    try {
      state = await this.source();
    } catch {
      // The scrape still answers, and `kizuna_database_up 0` says why the gauges are empty.
    }
    this.up.set(state ? 1 : 0);
    this.inbox.reset();
    this.lag.reset();
    this.events.reset();
    this.paused.reset();
    if (!state) return;
    this.inbox.set({ state: 'waiting' }, state.inbox.waiting);
    this.inbox.set({ state: 'set_aside' }, state.inbox.setAside);
    this.lag.set(state.inbox.oldestWaitingSeconds);
    for (const e of state.events) this.events.set({ bot: e.botId, state: e.state }, e.count);
    for (const bot of state.sendingPaused) this.paused.set({ bot }, 1);
  }

  private counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  private gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }
}
