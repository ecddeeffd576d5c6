// The export of a lazy store (millions of generated records), streamed a record at a time. The
// bulk query has already been validated against the schema, so what is left of execution is
// projection: each record's view is read field by field along the query's selections (resolver
// functions called with the field's literal arguments; bulk queries take no variables). The test
// beside this file checks the result against graphql-js's own execution, line for line.
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { matchesQuery, views, type ConnectionArgs, type LazyRecords, type Store } from './store.ts';

type Json = Record<string, unknown>;
type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export interface RootField {
  name: string;
  args: ConnectionArgs;
  /** The selection under `edges { node }` (or `nodes`), and the key it is answered under. */
  node: SelectionSetNode;
  via: 'edges' | 'nodes';
}

const argsCache = new WeakMap<FieldNode, Record<string, unknown>>();
function argsOf(field: FieldNode): Record<string, unknown> {
  let args = argsCache.get(field);
  if (!args) {
    args = Object.fromEntries(
      (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
    );
    argsCache.set(field, args);
  }
  return args;
}

function fragmentsOf(document: DocumentNode): Fragments {
  return new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
}

/** Answers `set` over `value` as an executor would: nulls for missing fields, lists mapped. */
export function project(value: unknown, set: SelectionSetNode, fragments: Fragments): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => project(v, set, fragments));
  const src = value as Json;
  const out: Json = {};
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      let v = src[name];
      if (typeof v === 'function') v = (v as (args: unknown) => unknown)(argsOf(sel));
      out[sel.alias?.value ?? name] = sel.selectionSet
        ? project(v, sel.selectionSet, fragments)
        : (v ?? null);
    } else {
      const inner =
        sel.kind === Kind.INLINE_FRAGMENT
          ? sel.selectionSet
          : fragments.get(sel.name.value)?.selectionSet;
      if (inner) Object.assign(out, project(value, inner, fragments));
    }
  }
  return out;
}

/** One JSONL line per node; a nested connection's nodes follow their parent, tagged with it. */
export function flattenNode(node: Json, parentId: string | null, lines: string[]): void {
  const own: Json = {};
  const children: Json[] = [];
  for (const k in node) {
    const v = node[k];
    const edges =
      v && typeof v === 'object' && 'edges' in v
        ? (v as { edges: Array<{ node: Json }> }).edges
        : null;
    if (edges) for (const e of edges) children.push(e.node);
    else own[k] = v;
  }
  if (parentId) own.__parentId = parentId;
  lines.push(JSON.stringify(own));
  for (const child of children) flattenNode(child, String(node.id), lines);
}

/** The connections a bulk query reads at its root. */
export function rootFields(document: DocumentNode): RootField[] {
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const out: RootField[] = [];
  for (const sel of op?.selectionSet.selections ?? []) {
    if (sel.kind !== Kind.FIELD || !sel.selectionSet) continue;
    const child = (name: string) =>
      sel.selectionSet!.selections.find(
        (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name,
      );
    const edges = child('edges');
    const node = edges?.selectionSet?.selections.find(
      (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node',
    );
    const nodes = child('nodes');
    const set = node?.selectionSet ?? nodes?.selectionSet;
    if (set)
      out.push({
        name: sel.name.value,
        args: argsOf(sel),
        node: set,
        via: node ? 'edges' : 'nodes',
      });
  }
  return out;
}

/** The export's lines, made one record at a time (id order, the bulk default). */
export function* lazyExport(
  store: Store,
  lazy: LazyRecords,
  document: DocumentNode,
  fields: RootField[],
): Generator<string> {
  const fragments = fragmentsOf(document);
  const view = views(store, true);
  const lines: string[] = [];
  for (const field of fields) {
    const records =
      field.name === 'customers'
        ? mapIter(lazy.customers(), view.customer)
        : field.name === 'orders'
          ? mapIter(lazy.orders(), view.order)
          : [];
    for (const record of records) {
      if (!matchesQuery(record, field.args.query)) continue;
      flattenNode(project(record, field.node, fragments) as Json, null, lines);
      yield* lines;
      lines.length = 0;
    }
  }
}

function* mapIter<T, U>(xs: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of xs) yield f(x);
}
