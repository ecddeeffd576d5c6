// Loads one of LINE's official OpenAPI files (vendored in test/fixtures/line-openapi) into ajv so the fake can
// validate against the real spec instead of a hand-written copy of it.
//
// ajv ignores OpenAPI's `discriminator`, and LINE models every polymorphic type (Message,
// Action, FlexComponent, webhook Event, MessageContent...) as a base schema with a
// discriminator whose subtypes `allOf` the base. Validating against the base alone checks only
// the common fields (a text message without `text` passes). expandDiscriminators() rewrites the
// components so every reference to a base dispatches to the subtype named by
// `discriminator.mapping`, at any depth (a flex box inside a bubble inside a carousel).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDoc {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }>; required?: boolean };
  servers?: Array<{ url: string }>;
}

const specDir = fileURLToPath(new URL('../../fixtures/line-openapi/', import.meta.url));

export function loadSpec(file: 'messaging-api.yml' | 'webhook.yml'): OpenApiDoc {
  return parse(readFileSync(specDir + file, 'utf8')) as OpenApiDoc;
}

const ref = (name: string) => `#/components/schemas/${name}`;
const refName = (r: string) => r.slice(r.lastIndexOf('/') + 1);

interface Discriminator {
  propertyName: string;
  mapping: Record<string, string>;
}

export function expandDiscriminators(
  schemas: Record<string, JsonSchema>,
): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = structuredClone(schemas);
  for (const [name, schema] of Object.entries(schemas)) {
    const disc = schema.discriminator as Discriminator | undefined;
    if (!disc) continue;
    const baseName = `${name}__base`;
    const { discriminator: _d, ...base } = schema;
    out[baseName] = base;
    // Subtypes include the base through allOf; point them at the plain base, or the dispatcher
    // below would recurse into itself forever.
    for (const target of Object.values(disc.mapping)) {
      const sub = out[refName(target)];
      const allOf = sub?.allOf as Array<{ $ref?: string }> | undefined;
      for (const part of allOf ?? []) if (part.$ref === ref(name)) part.$ref = ref(baseName);
    }
    const prop = disc.propertyName;
    out[name] = {
      allOf: [
        { $ref: ref(baseName) },
        // LINE refuses a type it does not know, so an unmapped value is an error too.
        { properties: { [prop]: { enum: Object.keys(disc.mapping) } } },
        ...Object.entries(disc.mapping).map(([value, target]) => ({
          if: { properties: { [prop]: { const: value } }, required: [prop] },
          then: { $ref: target },
        })),
      ],
    };
  }
  return out;
}

export function createAjv(doc: OpenApiDoc, id: string): Ajv {
  // strict: false because OpenAPI adds keywords JSON Schema lacks (example, externalDocs...);
  // verbose so error messages can quote the schema's bounds, as LINE's messages do.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  addFormatsModule.default(ajv);
  // The spec writes a pattern where a format belongs (date=yyyyMMdd); accept it as meant.
  ajv.addFormat('^[0-9]{8}$', /^[0-9]{8}$/);
  ajv.addSchema({ components: { schemas: expandDiscriminators(doc.components.schemas) } }, id);
  return ajv;
}

export function schemaValidator(ajv: Ajv, id: string, name: string): ValidateFunction {
  const fn = ajv.getSchema(`${id}${ref(name)}`);
  if (!fn) throw new Error(`schema ${name} not found in ${id}`);
  return fn;
}

/** `/messages/0/text` → `messages[0].text`, the way LINE names a property in `details`. */
export function propertyPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  return parts
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export interface ErrorDetail {
  message: string;
  property: string;
}

// LINE's server phrases validation errors like Bean Validation; the envelope ("The request body
// has N error(s)") is documented, the per-detail wording below follows answers seen from the
// real API ("must be specified", "Size must be between 1 and 5") and is otherwise a best guess.
export function toDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const e of errors ?? []) {
    const d = toDetail(e);
    if (!d) continue;
    const key = `${d.property}\n${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push(d);
  }
  return details;
}

function toDetail(e: ErrorObject): ErrorDetail | undefined {
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const at = propertyPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return undefined; // the failing `then` branch reports the real cause
    case 'required':
      return {
        message: 'must be specified',
        property: propertyPath(e.instancePath, String(params.missingProperty)),
      };
    case 'minItems':
    case 'maxItems':
      return {
        message: `Size must be between ${Number(parent.minItems ?? 0)} and ${String(parent.maxItems ?? 'unbounded')}`,
        property: at,
      };
    case 'minLength':
    case 'maxLength':
      return {
        message: `Length must be between ${Number(parent.minLength ?? 0)} and ${String(parent.maxLength ?? 'unbounded')}`,
        property: at,
      };
    case 'maximum':
      return { message: `Must be less than or equal to ${String(params.limit)}`, property: at };
    case 'minimum':
      return { message: `Must be greater than or equal to ${String(params.limit)}`, property: at };
    case 'enum':
      return {
        message: `Must be one of the following values: [${(params.allowedValues as unknown[]).join(', ')}]`,
        property: at,
      };
    case 'type':
      return { message: `Must be ${String(params.type)}`, property: at };
    case 'format':
    case 'pattern':
      return { message: 'Invalid format', property: at };
    default:
      return { message: e.message ?? 'invalid', property: at };
  }
}
