// Request validation against the official messaging-api.yml, plus the documented limits the spec
// does not encode. Loaded once per process: compiling the spec takes ~150 ms.
import type { ValidateFunction } from 'ajv';
import {
  createAjv,
  loadSpec,
  schemaValidator,
  toDetails,
  type ErrorDetail,
  type OpenApiDoc,
  type OperationObject,
  type ParameterObject,
} from './openapi.ts';

let cached: { doc: OpenApiDoc; ajv: ReturnType<typeof createAjv> } | undefined;
const validators = new Map<string, ValidateFunction>();

function spec() {
  if (!cached) {
    const doc = loadSpec('messaging-api.yml');
    cached = { doc, ajv: createAjv(doc, 'messaging-api') };
  }
  return cached;
}

export function operation(specPath: string, method: string): OperationObject {
  const op = spec().doc.paths[specPath]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${specPath} is not in messaging-api.yml`);
  return op;
}

/** The schema name of an operation's JSON body, if it takes one. */
export function bodySchemaName(op: OperationObject): string | undefined {
  const r = op.requestBody?.content['application/json']?.schema?.$ref;
  return r?.slice(r.lastIndexOf('/') + 1);
}

/** Served from api-data.line.me rather than api.line.me. */
export function isDataHost(op: OperationObject): boolean {
  return op.servers?.some((s) => s.url.includes('api-data.line.me')) ?? false;
}

export function takesRetryKey(op: OperationObject): boolean {
  return op.parameters?.some((p) => p.in === 'header' && p.name === 'X-Line-Retry-Key') ?? false;
}

export function validateSchema(name: string, value: unknown): ErrorDetail[] {
  let fn = validators.get(name);
  if (!fn) {
    fn = schemaValidator(spec().ajv, 'messaging-api', name);
    validators.set(name, fn);
  }
  return fn(value) ? [] : toDetails(fn.errors);
}

export function validateBody(op: OperationObject, body: unknown): ErrorDetail[] {
  const name = bodySchemaName(op);
  if (!name) return [];
  return [...validateSchema(name, body), ...messageLimits(body)];
}

/** The first query or header parameter whose value the spec refuses. */
export function invalidParameter(
  op: OperationObject,
  read: (p: ParameterObject) => string | undefined,
): string | undefined {
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query' && p.in !== 'header') continue;
    const raw = read(p);
    if (raw === undefined) {
      if (p.required) return p.name;
      continue;
    }
    const schema = p.schema ?? {};
    const value = schema.type === 'integer' ? (/^-?\d+$/.test(raw) ? Number(raw) : raw) : raw;
    if (validateInline(schema, value).length) return p.name;
  }
  return undefined;
}

function validateInline(schema: Record<string, unknown>, value: unknown): ErrorDetail[] {
  const fn = spec().ajv.compile(schema);
  return fn(value) ? [] : toDetails(fn.errors);
}

// Limits from LINE's reference that messaging-api.yml leaves out. Text length counts UTF-16
// code units (an emoji counts 2), which is what String#length measures.
export const LIMITS = {
  text: 5000,
  flexAltText: 1500,
  imagemapAltText: 1500,
  templateAltText: 400,
  flexCarouselBubbles: 12,
} as const;

function messageLimits(body: unknown): ErrorDetail[] {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return [];
  const details: ErrorDetail[] = [];
  const tooLong = (value: unknown, max: number, property: string) => {
    if (typeof value === 'string' && value.length > max) {
      details.push({ message: `Length must be between 0 and ${max}`, property });
    }
  };
  messages.forEach((m: Record<string, unknown> | null, i) => {
    if (!m || typeof m !== 'object') return;
    const at = `messages[${i}]`;
    switch (m.type) {
      case 'text':
      case 'textV2':
        tooLong(m.text, LIMITS.text, `${at}.text`);
        break;
      case 'flex': {
        tooLong(m.altText, LIMITS.flexAltText, `${at}.altText`);
        const contents = m.contents as { type?: string; contents?: unknown[] } | undefined;
        if (
          contents?.type === 'carousel' &&
          (contents.contents?.length ?? 0) > LIMITS.flexCarouselBubbles
        ) {
          details.push({
            message: `Size must be between 1 and ${LIMITS.flexCarouselBubbles}`,
            property: `${at}.contents.contents`,
          });
        }
        break;
      }
      case 'imagemap':
        tooLong(m.altText, LIMITS.imagemapAltText, `${at}.altText`);
        break;
      case 'template':
        tooLong(m.altText, LIMITS.templateAltText, `${at}.altText`);
        break;
    }
  });
  return details;
}
