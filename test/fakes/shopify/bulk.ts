// Bulk operations as Shopify runs them: bulkOperationRunQuery validates the inner query against
// the schema, the operation stays RUNNING for a few polls of currentBulkOperation (or of
// node(id:)), then its `url` serves JSONL where each nested connection's nodes are lines of
// their own with `__parentId`. A store held in memory is exported when the operation starts (a
// snapshot, as Shopify's is). A lazy store (benchmarks: millions of generated records) writes its
// export to a file through bulk-project.ts while the operation runs, counting objects as it goes,
// and completes when the file is whole: then, as on Shopify, the download is a finished file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeSync } from 'graphql';
import { flattenNode, lazyExport, rootFields } from './bulk-project.ts';
import { writeJsonl } from './jsonl.ts';
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
  /** The export: lines made when the operation started, or the file a lazy store writes. */
  file: { lines: readonly string[] } | { path: string };
  empty: boolean;
  pollsLeft: number;
  /** False while a lazy store's export is being written. */
  written: boolean;
}

type Json = Record<string, unknown>;

function flatten(data: Json): { lines: string[]; roots: number } {
  const lines: string[] = [];
  let roots = 0;
  for (const root of Object.values(data)) {
    for (const e of (root as { edges: Array<{ node: Json }> }).edges) {
      roots++;
      flattenNode(e.node, null, lines);
    }
  }
  return { lines, roots };
}

/** Directories of lazy exports, removed when the process exits. */
const exportDirs = new Set<string>();
let removedOnExit = false;
function exportDir(): string {
  if (!removedOnExit) {
    removedOnExit = true;
    process.once('exit', () => {
      for (const d of exportDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-fake-shopify-'));
  exportDirs.add(dir);
  return dir;
}

export function createBulk(store: Store, now: () => number, polls: () => number) {
  const ops = new Map<string, Operation>();
  let current: Operation | null = null;
  let n = 0;
  /** Inner queries the real Shopify would refuse (reported by the caller as spec violations). */
  const refused: string[] = [];
  /** Downloads of each operation's file, by operation number (tests of resumed imports). */
  const downloads = new Map<string, number>();

  const view = (origin: string, op: Operation | null) =>
    op && {
      ...op,
      __typename: 'BulkOperation',
      type: 'QUERY',
      url:
        op.status === 'COMPLETED' && !op.empty
          ? `${origin}/bulk/${op.id.split('/').at(-1)}.jsonl`
          : null,
      partialDataUrl: null,
    };
  let dir: string | null = null;
  const removeFiles = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (dir) exportDirs.delete(dir);
    dir = null;
  };

  const advance = (op: Operation | undefined | null) => {
    if (op?.status === 'RUNNING' && --op.pollsLeft < 0 && op.written) {
      op.status = 'COMPLETED';
      op.completedAt = new Date(now()).toISOString();
    }
  };

  function start(query: string): Operation | { error: string } {
    const checked = checkDocument(query);
    if (!checked.ok) {
      refused.push(checked.errors.map((e) => e.message).join('; '));
      return { error: `Invalid bulk query: ${checked.errors[0]!.message}` };
    }
    const base = {
      id: `gid://shopify/BulkOperation/${++n}`,
      status: 'RUNNING' as const,
      errorCode: null,
      query,
      createdAt: new Date(now()).toISOString(),
      completedAt: null,
      fileSize: null,
      pollsLeft: polls(),
    };
    if (store.lazy) {
      dir ??= exportDir();
      const op: Operation = {
        ...base,
        // Counted as the file is written (Shopify counts roots and nested objects alike; the
        // fake counts lines, which are the same thing in JSONL).
        objectCount: '0',
        rootObjectCount: '0',
        file: { path: join(dir, `${n}.jsonl`) },
        empty: false,
        written: false,
      };
      const lines = lazyExport(store, store.lazy, checked.document, rootFields(checked.document));
      const path = op.file as { path: string };
      void writeJsonl(lines, path.path, (count) => {
        op.objectCount = String(count);
      }).then(
        ({ lines: count, bytes }) => {
          Object.assign(op, {
            objectCount: String(count),
            fileSize: String(bytes),
            empty: count === 0,
            written: true,
          });
        },
        () => {
          Object.assign(op, { status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR' });
        },
      );
      return op;
    }
    const result = executeSync({
      schema: adminSchema(),
      document: checked.document,
      rootValue: rootValue(store, true),
    });
    if (result.errors) refused.push(result.errors.map((e) => e.message).join('; '));
    const { lines, roots } = flatten((result.data ?? {}) as Json);
    return {
      ...base,
      objectCount: String(lines.length),
      rootObjectCount: String(roots),
      fileSize: String(lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0)),
      file: { lines },
      empty: lines.length === 0,
      written: true,
    };
  }

  return {
    refused,
    downloads,
    /** The export of operation `gid://shopify/BulkOperation/{n}`: its lines or its file. */
    file(n: string): Operation['file'] | undefined {
      const op = ops.get(`gid://shopify/BulkOperation/${n}`);
      if (op?.status !== 'COMPLETED') return undefined;
      downloads.set(n, (downloads.get(n) ?? 0) + 1);
      return op.file;
    },
    root(origin: string) {
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
          const op = start(query);
          if ('error' in op) {
            return { bulkOperation: null, userErrors: [{ field: ['query'], message: op.error }] };
          }
          ops.set(op.id, op);
          current = op;
          return { bulkOperation: view(origin, op), userErrors: [] };
        },
        currentBulkOperation() {
          advance(current);
          return view(origin, current);
        },
        /** Node lookup, for BulkOperation ids only (the connector re-reads an export by id). */
        node({ id }: { id: string }) {
          const op = ops.get(id);
          advance(op);
          return view(origin, op ?? null);
        },
      };
    },
    reset() {
      removeFiles();
      ops.clear();
      current = null;
      refused.length = 0;
      downloads.clear();
    },
  };
}

export type Bulk = ReturnType<typeof createBulk>;
