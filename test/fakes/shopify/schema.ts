// The official Admin GraphQL 2025-01 schema (introspection JSON, see
// test/fixtures/shopify-admin-schema/README.md), loaded once per process: every query the fake
// answers is parsed and validated against it first, as Shopify does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

const SCHEMA_FILE = fileURLToPath(
  new URL('../../fixtures/shopify-admin-schema/admin_schema_2025-01.json.gz', import.meta.url),
);

let cached: GraphQLSchema | undefined;

export function adminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString('utf8')) as {
      data: IntrospectionQuery;
    };
    cached = buildClientSchema(json.data);
  }
  return cached;
}

export type Checked =
  { ok: true; document: DocumentNode } | { ok: false; errors: readonly GraphQLError[] };

// The answer for a given text never changes; the contract suite sends the same few thousands of
// times, and validating against a schema this size is most of a request's cost.
const checkedBySource = new Map<string, Checked>();

/** Parse + validate, the first two things Shopify does with a query. */
export function checkDocument(source: string): Checked {
  let checked = checkedBySource.get(source);
  if (!checked) {
    checked = checkUncached(source);
    checkedBySource.set(source, checked);
  }
  return checked;
}

function checkUncached(source: string): Checked {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (e) {
    return { ok: false, errors: [e as GraphQLError] };
  }
  const errors = validate(adminSchema(), document);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, document };
}
