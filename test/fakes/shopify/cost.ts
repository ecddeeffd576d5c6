// Shopify's calculated query cost (shopify.dev "rate limits"): scalars and enums 0, each object
// 1, a connection 2 plus `first` (or `last`) times the cost of one item, a list with `first`
// that many items, a mutation 10. The fake charges the requested cost, the figure the bucket
// must hold before Shopify runs a query.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Shopify refuses any single query above this (MAX_COST_EXCEEDED). */
export const MAX_QUERY_COST = 1000;

interface Walk {
  schema: GraphQLSchema;
  vars: Record<string, unknown>;
  fragments: Map<string, FragmentDefinitionNode>;
}

function fieldsOf(
  w: Walk,
  parent: GraphQLNamedType,
  set: SelectionSetNode,
): Array<[GraphQLNamedType, FieldNode]> {
  const out: Array<[GraphQLNamedType, FieldNode]> = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push([parent, s]);
    else if (s.kind === Kind.INLINE_FRAGMENT) {
      const t = s.typeCondition ? w.schema.getType(s.typeCondition.name.value) : parent;
      if (t) out.push(...fieldsOf(w, t, s.selectionSet));
    } else {
      const f = w.fragments.get(s.name.value);
      const t = f && w.schema.getType(f.typeCondition.name.value);
      if (f && t) out.push(...fieldsOf(w, t, f.selectionSet));
    }
  }
  return out;
}

function setCost(w: Walk, parent: GraphQLNamedType, set: SelectionSetNode | undefined): number {
  if (!set) return 0;
  let total = 0;
  // Abstract parents cost the most expensive of their possible selections; summing over the
  // fragments over-counts only when one query selects several members, which ours never do.
  for (const [type, node] of fieldsOf(w, parent, set)) total += fieldCost(w, type, node);
  return total;
}

function fieldCost(w: Walk, parent: GraphQLNamedType, node: FieldNode): number {
  if (!isObjectType(parent) && !isAbstractType(parent)) return 0;
  if (isAbstractType(parent) || node.name.value.startsWith('__')) return 0;
  const def = parent.getFields()[node.name.value];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  const args = getArgumentValues(def, node, w.vars) as { first?: number; last?: number };
  const n = args.first ?? args.last;
  if (named.name.endsWith('Connection')) {
    let item = 0;
    for (const [t, f] of fieldsOf(w, named, node.selectionSet!)) {
      if (f.name.value === 'nodes')
        item = Math.max(item, 1 + setCost(w, getNamedType(fieldType(t, f)), f.selectionSet));
      if (f.name.value === 'edges')
        item = Math.max(item, setCost(w, getNamedType(fieldType(t, f)), f.selectionSet));
    }
    return 2 + (n ?? 0) * item;
  }
  const one = 1 + setCost(w, named, node.selectionSet);
  return isListType(getNullableType(def.type)) ? (n ?? 1) * one : one;
}

function fieldType(parent: GraphQLNamedType, f: FieldNode) {
  if (!isObjectType(parent)) throw new Error(`no fields on ${parent.name}`);
  return parent.getFields()[f.name.value]!.type;
}

export function requestedCost(
  schema: GraphQLSchema,
  op: OperationDefinitionNode,
  fragments: FragmentDefinitionNode[],
  vars: Record<string, unknown>,
): number {
  const w: Walk = { schema, vars, fragments: new Map(fragments.map((f) => [f.name.value, f])) };
  if (op.operation === 'mutation') return 10;
  return setCost(w, schema.getQueryType()!, op.selectionSet);
}
