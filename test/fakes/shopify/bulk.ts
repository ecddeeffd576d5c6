// Bulk operations as Shopify runs them: bulkOperationRunQuery validates the inner query against
// the schema, the operation stays RUNNING for a few polls of currentBulkOperation, then its `url`
// serves JSONL where each nested connection's nodes are lines of their own with `__parentId`.
import { executeSync } from 'graphql';
import { checkDocument, adminSchema } from './schema.ts';
import { rootValue, type Store } from './store.ts';

interface Operation {
  id: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  errorCode: string | null;
  query: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  jsonl: string;
  pollsLeft: number;
}

type Json = Record<string, unknown>;

/** One JSONL line per node; a nested connection's nodes follow their parent, tagged with it. */
function flatten(data: Json): { lines: string[]; roots: number } {
  const lines: string[] = [];
  let roots = 0;
  const emit = (node: Json, parentId: string | null) => {
    const own: Json = {};
    const children: Array<Json> = [];
    for (const [k, v] of Object.entries(node)) {
      const edges =
        v && typeof v === 'object' && 'edges' in v
          ? (v as { edges: Array<{ node: Json }> }).edges
          : null;
      if (edges) children.push(...edges.map((e) => e.node));
      else own[k] = v;
    }
    if (parentId) own.__parentId = parentId;
    lines.push(JSON.stringify(own));
    for (const child of children) emit(child, String(node.id));
  };
  for (const root of Object.values(data)) {
    for (const e of (root as { edges: Array<{ node: Json }> }).edges) {
      roots++;
      emit(e.node, null);
    }
  }
  return { lines, roots };
}

export function createBulk(store: Store, now: () => number, polls: () => number) {
  const ops = new Map<string, Operation>();
  let current: Operation | null = null;
  let n = 0;
  /** Inner queries the real Shopify would refuse (reported by the caller as spec violations). */
  const refused: string[] = [];

  return {
    refused,
    /** The JSONL of operation `gid://shopify/BulkOperation/{n}`. */
    file: (n: string) => ops.get(`gid://shopify/BulkOperation/${n}`)?.jsonl,
    root(origin: string) {
      const view = (op: Operation | null) =>
        op && {
          ...op,
          type: 'QUERY',
          url:
            op.status === 'COMPLETED' && op.jsonl
              ? `${origin}/bulk/${op.id.split('/').at(-1)}.jsonl`
              : null,
          partialDataUrl: null,
        };
      return {
        bulkOperationRunQuery({ query }: { query: string }) {
          if (current?.status === 'RUNNING') {
            return {
              bulkOperation: null,
              userErrors: [
                {
                  field: ['query'],
                  message: 'A bulk query operation for this app and shop is already in progress.',
                },
              ],
            };
          }
          const checked = checkDocument(query);
          if (!checked.ok) {
            refused.push(checked.errors.map((e) => e.message).join('; '));
            return {
              bulkOperation: null,
              userErrors: [
                { field: ['query'], message: `Invalid bulk query: ${checked.errors[0]!.message}` },
              ],
            };
          }
          const result = executeSync({
            schema: adminSchema(),
            document: checked.document,
            rootValue: rootValue(store, true),
          });
          if (result.errors) refused.push(result.errors.map((e) => e.message).join('; '));
          const { lines, roots } = flatten((result.data ?? {}) as Json);
          const jsonl = lines.length ? `${lines.join('\n')}\n` : '';
          const op: Operation = {
            id: `gid://shopify/BulkOperation/${++n}`,
            status: 'RUNNING',
            errorCode: null,
            query,
            createdAt: new Date(now()).toISOString(),
            completedAt: null,
            objectCount: String(lines.length),
            rootObjectCount: String(roots),
            fileSize: String(jsonl.length),
            jsonl,
            pollsLeft: polls(),
          };
          ops.set(op.id, op);
          current = op;
          return { bulkOperation: view(op), userErrors: [] };
        },
        currentBulkOperation() {
          if (current?.status === 'RUNNING' && --current.pollsLeft < 0) {
            current.status = 'COMPLETED';
            current.completedAt = new Date(now()).toISOString();
          }
          return view(current);
        },
      };
    },
    reset() {
      ops.clear();
      current = null;
      refused.length = 0;
    },
  };
}

export type Bulk = ReturnType<typeof createBulk>;
