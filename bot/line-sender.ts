import { sql, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import type { Database, LineRequestsTable } from '../db/schema.ts';
import { toStoredError, type StoredLineError } from './line-errors.ts';
import { LineApiError, type LineMessage, type LinePort } from './line-port.ts';

/**
 * The exactly-once path for push and multicast. Each request is stored with its retry key before
 * LINE first sees it, so every later attempt (after a 500, a timeout, a crash) carries the same
 * key and LINE delivers it at most once; a 409 on a repeat means an earlier attempt got through.
 *
 * Two processes resuming the same request at once are harmless for the same reason: the key
 * makes LINE accept only one of them.
 */

export const MONTHLY_LIMIT_REASON = 'LINE monthly message limit reached';
// "The retry key is valid for 24 hours after attempting the first request": after that a
// retry could be delivered a second time, so the request is given up instead.
const RETRY_KEY_LIFE_MS = 24 * 3600 * 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60_000;

export type SendInput = {
  botId: string;
  messages: LineMessage[];
  /** Resume this stored request (its body and retry key win), or create it under this id. */
  id?: string;
} & ({ kind: 'push'; to: string } | { kind: 'multicast'; to: string[] });

export type SendOutcome =
  | { status: 'sent'; id: string; lineRequestId: string | null; duplicate: boolean }
  | { status: 'failed'; id: string; error: StoredLineError }
  | { status: 'paused'; id: string; reason: string }
  /** LINE kept failing in a retryable way: resume later with the same id (same retry key). */
  | { status: 'pending'; id: string; error: StoredLineError };

export interface LineSenderOptions {
  db: Kysely<Database>;
  lineFor: (botId: string) => Promise<LinePort>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Attempts per send() call (default 5); a resumed request gets as many again. */
  maxAttempts?: number;
  /** For the backoff's jitter; tests pass a constant. */
  random?: () => number;
}

type Row = Selectable<LineRequestsTable>;
type Body = { to: string | string[]; messages: LineMessage[] };

export class LineSender {
  private readonly db: Kysely<Database>;
  private readonly lineFor: (botId: string) => Promise<LinePort>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  private readonly random: () => number;

  constructor(options: LineSenderOptions) {
    this.db = options.db;
    this.lineFor = options.lineFor;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 5;
    this.random = options.random ?? Math.random;
  }

  async send(input: SendInput): Promise<SendOutcome> {
    const id = input.id ?? crypto.randomUUID();
    const body: Body = { to: input.to, messages: input.messages };
    // Stored first: the retry key exists before any attempt, and a repeat with the same id
    // finds the row instead of creating a second request.
    await this.db
      .insertInto('line_requests')
      .values({
        id,
        bot_id: input.botId,
        kind: input.kind,
        retry_key: crypto.randomUUID(),
        body: JSON.stringify(body),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await this.load(id);
    if (row.bot_id !== input.botId || row.kind !== input.kind) {
      throw new Error(`line request ${id} belongs to bot ${row.bot_id} (${row.kind})`);
    }
    return this.run(row);
  }

  /** Sends a stored request again (a job picking up 'pending' or un-paused requests). */
  async resume(id: string): Promise<SendOutcome> {
    return this.run(await this.load(id));
  }

  private async run(row: Row): Promise<SendOutcome> {
    if (row.state === 'sent') {
      return { status: 'sent', id: row.id, lineRequestId: row.line_request_id, duplicate: false };
    }
    if (row.state === 'failed') return { status: 'failed', id: row.id, error: storedError(row) };

    const body = row.body as Body;
    let line: LinePort | undefined;
    for (let attempt = 1; ; attempt++) {
      // Checked before every attempt: another process may have hit the limit meanwhile.
      const reason = await this.pauseReason(row.bot_id);
      if (reason) {
        await this.update(row.id, { state: 'paused' });
        return { status: 'paused', id: row.id, reason };
      }
      const now = this.now();
      const firstAt = row.first_attempt_at ?? now;
      const expiresAt = firstAt.getTime() + RETRY_KEY_LIFE_MS;
      if (now.getTime() >= expiresAt) return this.fail(row.id, expired());

      // Counted before the call, so an attempt cut short by a crash still shows.
      row = await this.update(row.id, {
        state: 'sending',
        attempts: sql<number>`attempts + 1`,
        first_attempt_at: firstAt,
        last_attempt_at: now,
      });
      try {
        line ??= await this.lineFor(row.bot_id);
        const result =
          row.kind === 'multicast'
            ? await line.multicast(body.to as string[], body.messages, row.retry_key)
            : await line.push(body.to as string, body.messages, row.retry_key);
        const lineRequestId = result.requestId ?? null;
        await this.update(row.id, { state: 'sent', line_request_id: lineRequestId, error: null });
        return { status: 'sent', id: row.id, lineRequestId, duplicate: result.duplicate };
      } catch (error) {
        const stored = toStoredError(error);
        if (!(error instanceof LineApiError)) {
          // A bug or an unreadable bot, not LINE's answer: leave the request resumable.
          await this.update(row.id, { state: 'pending', error: JSON.stringify(stored) });
          throw error;
        }
        switch (error.kind) {
          case 'retryable':
          case 'rate_limited': {
            await this.update(row.id, { state: 'pending', error: JSON.stringify(stored) });
            const delay = this.backoff(attempt);
            if (attempt >= this.maxAttempts || this.now().getTime() + delay >= expiresAt) {
              return { status: 'pending', id: row.id, error: stored };
            }
            await this.sleep(delay);
            break;
          }
          case 'monthly_limit':
            await this.pauseBot(row.bot_id);
            await this.update(row.id, { state: 'paused', error: JSON.stringify(stored) });
            return { status: 'paused', id: row.id, reason: MONTHLY_LIMIT_REASON };
          case 'permanent':
          case 'unauthorized':
            return this.fail(row.id, stored);
          default: {
            const unknown: never = error.kind;
            throw new Error(`unhandled LINE error kind ${String(unknown)}`, { cause: error });
          }
        }
      }
    }
  }

  /** Exponential with jitter, so senders that failed together do not retry together. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  private async fail(id: string, error: StoredLineError): Promise<SendOutcome> {
    await this.update(id, { state: 'failed', error: JSON.stringify(error) });
    return { status: 'failed', id, error };
  }

  private async pauseReason(botId: string): Promise<string | null> {
    const bot = await this.db
      .selectFrom('bots')
      .select('sending_paused_reason')
      .where('id', '=', botId)
      .executeTakeFirst();
    return bot?.sending_paused_reason ?? null;
  }

  private async pauseBot(botId: string): Promise<void> {
    await this.db
      .updateTable('bots')
      .set({ sending_paused_reason: MONTHLY_LIMIT_REASON, sending_paused_at: this.now() })
      // The first pause keeps its time; staff see when sending stopped.
      .where('id', '=', botId)
      .where('sending_paused_reason', 'is', null)
      .execute();
  }

  private load(id: string): Promise<Row> {
    return this.db
      .selectFrom('line_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow(() => new Error(`no line request ${id}`));
  }

  private update(id: string, values: UpdateObject<Database, 'line_requests'>): Promise<Row> {
    return this.db
      .updateTable('line_requests')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

/**
 * Staff action: lets the bot send again (after raising the plan or at the new month). Its paused
 * requests go back to 'pending' with their retry keys; resolves to their ids for a job to resume.
 */
export async function clearSendingPause(db: Kysely<Database>, botId: string): Promise<string[]> {
  await db
    .updateTable('bots')
    .set({ sending_paused_reason: null, sending_paused_at: null, updated_at: new Date() })
    .where('id', '=', botId)
    .execute();
  const rows = await db
    .updateTable('line_requests')
    .set({ state: 'pending' })
    .where('bot_id', '=', botId)
    .where('state', '=', 'paused')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

function storedError(row: Row): StoredLineError {
  return (row.error as StoredLineError | null) ?? toStoredError(new Error('failed'));
}

function expired(): StoredLineError {
  return {
    kind: 'retry_key_expired',
    status: null,
    message:
      'Not confirmed within the retry key’s 24 hours; LINE may or may not have delivered it, ' +
      'and a new attempt could deliver it twice.',
    details: [],
    lineRequestId: null,
  };
}
