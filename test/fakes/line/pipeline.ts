// What every request goes through before an endpoint sees it, in the order LINE's answers
// imply: faults → auth → rate limit → parameters and retry key → content type → body schema.
// Each refusal is recorded with its reason; refusals the official spec dictates also land in
// specViolations, which tests assert is empty.
import type { Context, Hono } from 'hono';
import { errors } from './errors.ts';
import type { Faults } from './faults.ts';
import { newRequestId } from './ids.ts';
import type { OperationObject } from './openapi.ts';
import type { createRateLimiter } from './rate-limit.ts';
import { invalidParameter, operation, takesRetryKey, validateBody } from './spec.ts';
import type {
  AcceptedRequest,
  EndpointClass,
  FakeChannel,
  RecordedRequest,
  RejectReason,
  RejectedRequest,
} from './types.ts';
import type { World } from './world.ts';

export interface Call {
  channel: FakeChannel;
  requestId: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  raw: Uint8Array;
  contentType: string;
  retryKey?: string;
}

export interface Answer {
  status: number;
  body?: unknown;
  bytes?: { data: Uint8Array; contentType: string };
  /** Why, when status ≥ 400. */
  reason?: RejectReason;
  /** Returned again with a 409 for this request's retry key (push). */
  sentMessages?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path exactly as messaging-api.yml writes it. */
  path: string;
  handle(call: Call): Answer | Promise<Answer>;
}

export interface PipelineContext {
  world: World;
  now: () => number;
  limiter: ReturnType<typeof createRateLimiter>;
  faults: Faults;
  accepted: AcceptedRequest[];
  rejected: RejectedRequest[];
  specViolations: RejectedRequest[];
}

const paramCount = (p: string) => (p.match(/\{/g) ?? []).length;
const fail = (status: number, body: unknown, reason: RejectReason): Answer => ({
  status,
  body,
  reason,
});

export function mountRoutes(app: Hono, routes: Route[], ctx: PipelineContext): void {
  // Hono tries routes in the order they were added: /richmenu/list must come before
  // /richmenu/{richMenuId}, /user/all/richmenu before /user/{userId}/richmenu.
  const sorted = [...routes].sort((a, b) => paramCount(a.path) - paramCount(b.path));
  for (const route of sorted) {
    const op = operation(route.path, route.method);
    const honoPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(route.method, honoPath, (c) => handle(c, route, op, ctx));
  }
  app.all('*', (c) => handle(c, undefined, undefined, ctx));
}

async function handle(
  c: Context,
  route: Route | undefined,
  op: OperationObject | undefined,
  ctx: PipelineContext,
) {
  const requestId = newRequestId();
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = contentType.startsWith('image/') ? '' : new TextDecoder().decode(raw);
  let parsed: { ok: boolean; value: unknown } = { ok: true, value: undefined };
  if (text) {
    try {
      parsed = { ok: true, value: JSON.parse(text) };
    } catch {
      parsed = { ok: false, value: text };
    }
  }
  const retryKey = c.req.header('x-line-retry-key');
  const rec: RecordedRequest = {
    requestId,
    method: c.req.method,
    path: c.req.path,
    query: c.req.query(),
    operationId: op?.operationId as EndpointClass | undefined,
    body: raw.length && !text ? { byteLength: raw.length, contentType } : parsed.value,
    ...(retryKey ? { retryKey } : {}),
    status: 0,
    at: ctx.now(),
  };

  const fault = ctx.faults.take(c.req.method, c.req.path);
  let answer: Answer;
  if (fault && !fault.accept) {
    await ctx.faults.hang(fault);
    const f = ctx.faults.answer(fault);
    answer = f ? record(fail(f.status, f.body, 'fault')) : await process();
  } else {
    answer = await process();
    if (fault) {
      await ctx.faults.hang(fault);
      const f = ctx.faults.answer(fault);
      // The request was processed for real; only the answer is lost, so record it as accepted.
      if (f)
        return respond(c, requestId, {
          ...answer,
          status: f.status,
          body: f.body,
          bytes: undefined,
          reason: undefined,
        });
    }
  }
  return respond(c, requestId, answer);

  async function process(): Promise<Answer> {
    return record(await run());
  }

  function record(a: Answer): Answer {
    rec.status = a.status;
    if (a.status < 400 && rec.channelId && rec.operationId) {
      ctx.accepted.push(rec as AcceptedRequest);
      if (retryKey && op && takesRetryKey(op)) {
        ctx.world.rememberRetryKey(rec.channelId, retryKey, requestId, a.sentMessages);
      }
    } else if (a.status >= 400) {
      const r: RejectedRequest = {
        ...rec,
        reason: a.reason ?? 'invalidParameter',
        response: a.body,
      };
      ctx.rejected.push(r);
      if (r.reason === 'spec') ctx.specViolations.push(r);
    }
    return a;
  }

  async function run(): Promise<Answer> {
    const auth = c.req.header('authorization');
    if (!auth || !/^Bearer\s+\S/i.test(auth)) return fail(401, errors.noAuthHeader, 'auth');
    const channel = ctx.world.channelByToken(auth.replace(/^Bearer\s+/i, '').trim());
    if (!channel) return fail(401, errors.badToken, 'auth');
    rec.channelId = channel.channelId;
    if (!route || !op) return fail(404, errors.notFound, 'notImplemented');
    const opId = op.operationId as EndpointClass;
    if (!ctx.limiter.take(channel.channelId, opId)) return fail(429, errors.rateLimit, 'rateLimit');

    if (retryKey !== undefined && !takesRetryKey(op))
      return fail(400, errors.retryKeyNotSupported, 'spec');
    const bad = invalidParameter(op, (p) =>
      p.in === 'query' ? c.req.query(p.name) : c.req.header(p.name),
    );
    if (bad === 'X-Line-Retry-Key') return fail(400, errors.invalidRetryKey, 'spec');
    if (bad) return fail(400, errors.invalidParameter(bad), 'spec');
    if (retryKey) {
      const prior = ctx.world.acceptedRetryKey(channel.channelId, retryKey);
      if (prior) {
        c.header('x-line-accepted-request-id', prior.requestId);
        const body = prior.sentMessages
          ? { ...errors.retryKeyAccepted, sentMessages: prior.sentMessages }
          : errors.retryKeyAccepted;
        return fail(409, body, 'retryKeyAccepted');
      }
    }

    if (op.requestBody) {
      const types = Object.keys(op.requestBody.content);
      if (!types.includes('*/*') && !types.includes(contentType))
        return fail(415, errors.contentType(contentType || '(none)'), 'spec');
      if (types.includes('application/json')) {
        if (!parsed.ok || parsed.value === undefined) return fail(400, errors.unparsable, 'spec');
        const details = validateBody(op, parsed.value);
        if (details.length) return fail(400, errors.body(details), 'spec');
      }
    }
    return route.handle({
      channel,
      requestId,
      params: c.req.param() as Record<string, string>,
      query: c.req.query(),
      body: parsed.value,
      raw,
      contentType,
      ...(retryKey ? { retryKey } : {}),
    });
  }
}

function respond(c: Context, requestId: string, a: Answer): Response {
  c.header('x-line-request-id', requestId);
  if (a.bytes) {
    c.header('content-type', a.bytes.contentType);
    return c.body(a.bytes.data.slice().buffer, a.status as 200);
  }
  return c.json(a.body ?? {}, a.status as 200);
}
