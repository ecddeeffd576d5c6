// POST /admin/api/2025-01/graphql.json as Shopify answers it: auth, parse + validate against
// the real schema (a refusal is a spec violation: a bug in the connector), cost limits, the
// leaky bucket, then execution over the store.
import {
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
} from 'graphql';
import type { Context } from 'hono';
import type { Bulk } from './bulk.ts';
import { MAX_QUERY_COST, requestedCost } from './cost.ts';
import { adminSchema, checkDocument } from './schema.ts';
import { rootValue, type Store } from './store.ts';

export interface ShopifyFault {
  status?: 401 | 402 | 404 | 429 | 500 | 502 | 503;
  /** Answer THROTTLED whatever the bucket holds. */
  throttled?: boolean;
  /** Hang this long (wall clock) before answering; Infinity = until close(). */
  timeoutMs?: number;
  times?: number;
}

export type Outcome = 'ok' | 'throttled' | 'invalid' | 'auth' | 'fault' | 'maxCost' | 'notFound';

export interface LoggedRequest {
  at: number;
  operationName: string | null;
  variables: Record<string, unknown>;
  query: string;
  status: number;
  outcome: Outcome;
  cost: number | null;
  /** An injected hang held this request (the client may have given up on it). */
  hung: boolean;
}

export interface SpecViolation {
  requestId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  at: number;
  reason: 'spec';
  response: unknown;
}

export interface Bucket {
  maximum: number;
  restoreRate: number;
  available: number;
  at: number;
}

export interface EndpointState {
  store: Store;
  bulk: Bulk;
  accessToken: string;
  now: () => number;
  bucket: Bucket;
  log: LoggedRequest[];
  specViolations: SpecViolation[];
  takeFault(): ShopifyFault | undefined;
  hang(ms: number | undefined): Promise<void>;
}

function refill(b: Bucket, now: number) {
  b.available = Math.min(b.maximum, b.available + ((now - b.at) / 1000) * b.restoreRate);
  b.at = now;
}

function throttleStatus(b: Bucket) {
  return {
    maximumAvailable: b.maximum,
    currentlyAvailable: Math.floor(b.available),
    restoreRate: b.restoreRate,
  };
}

export async function handleGraphql(s: EndpointState, c: Context): Promise<Response> {
  const at = s.now();
  const raw = (await c.req.json().catch(() => null)) as {
    query?: string;
    variables?: Record<string, unknown> | null;
    operationName?: string | null;
  } | null;
  const entry: LoggedRequest = {
    at,
    operationName: raw?.operationName ?? null,
    variables: raw?.variables ?? {},
    query: raw?.query ?? '',
    status: 200,
    outcome: 'ok',
    cost: null,
    hung: false,
  };
  s.log.push(entry);
  const answer = (status: number, outcome: Outcome, body: unknown) => {
    Object.assign(entry, { status, outcome });
    return c.json(body as object, status as 200);
  };
  const violation = (body: unknown) => {
    s.specViolations.push({
      requestId: String(s.log.length),
      method: 'POST',
      path: c.req.path,
      query: {},
      body: raw,
      status: 200,
      at,
      reason: 'spec',
      response: body,
    });
    return answer(200, 'invalid', body);
  };

  const fault = s.takeFault();
  if (fault) {
    entry.hung = fault.timeoutMs !== undefined;
    await s.hang(fault.timeoutMs);
    if (fault.status) return answer(fault.status, 'fault', { errors: 'Internal Server Error' });
  }
  if (c.req.param('version') !== '2025-01') {
    return answer(404, 'notFound', { errors: 'Not Found' });
  }
  if (c.req.header('x-shopify-access-token') !== s.accessToken) {
    return answer(401, 'auth', {
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
  }
  if (!raw || typeof raw.query !== 'string') {
    return violation({ errors: [{ message: 'No query string was present' }] });
  }
  const checked = checkDocument(raw.query);
  if (!checked.ok) {
    return violation({
      errors: checked.errors.map((e) => ({
        ...e.toJSON(),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      })),
    });
  }
  const schema = adminSchema();
  const op = getOperationAST(checked.document, raw.operationName ?? undefined);
  if (!op) return violation({ errors: [{ message: 'An operation name is required' }] });
  entry.operationName = op.name?.value ?? null;
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], raw.variables ?? {});
  if (coerced.errors) return violation({ errors: coerced.errors.map((e) => e.toJSON()) });
  const fragments = checked.document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const cost = requestedCost(schema, op, fragments, coerced.coerced);
  entry.cost = cost;
  if (cost > MAX_QUERY_COST) {
    return violation({
      errors: [
        {
          message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
          extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_QUERY_COST },
        },
      ],
    });
  }
  refill(s.bucket, s.now());
  // An injected throttle is another client of the same app and token emptying the bucket.
  if (fault?.throttled) s.bucket.available = 0;
  const extensions = (actual: number | null) => ({
    cost: {
      requestedQueryCost: cost,
      actualQueryCost: actual,
      throttleStatus: throttleStatus(s.bucket),
    },
  });
  if (s.bucket.available < cost) {
    return answer(200, 'throttled', {
      errors: [
        {
          message: 'Throttled',
          extensions: {
            code: 'THROTTLED',
            documentation: 'https://shopify.dev/api/usage/rate-limits',
          },
        },
      ],
      extensions: extensions(null),
    });
  }
  s.bucket.available -= cost;
  const result = await execute({
    schema,
    document: checked.document,
    rootValue: { ...rootValue(s.store), ...s.bulk.root(new URL(c.req.url).origin) },
    variableValues: raw.variables ?? {},
    operationName: raw.operationName ?? undefined,
  });
  const body = {
    ...(result.errors
      ? { errors: result.errors.map((e): GraphQLFormattedError => e.toJSON()) }
      : {}),
    data: result.data ?? null,
    extensions: extensions(cost),
  };
  // The store's resolvers throw only on arguments Shopify refuses (no first/last, first > 250),
  // and a refused bulk query is the caller's bug too.
  const refusedBulk = s.bulk.refused.splice(0).length > 0;
  return result.errors || refusedBulk ? violation(body) : answer(200, 'ok', body);
}
