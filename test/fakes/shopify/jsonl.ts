// JSONL as the fake's bulk exports write it: lines encoded into chunks of about 64 kB, either
// streamed as a response or written to a file that is then served as it is (a finished export).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const CHUNK = 65_536;

/** The lines, each followed by a newline, as UTF-8 chunks of about 64 kB. */
export function* jsonlChunks(lines: Iterable<string>): Generator<Buffer> {
  // Each line is encoded straight into the chunk: joining lines first makes a rope string that
  // V8 flattens before encoding, six times slower with Japanese text (two-byte strings).
  let chunk = Buffer.allocUnsafe(CHUNK * 2);
  let used = 0;
  for (const line of lines) {
    // At most three bytes per UTF-16 unit, and the newline.
    if (used + line.length * 3 + 1 > chunk.length) {
      if (used) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK * 2, line.length * 3 + 1));
      used = 0;
    }
    used += chunk.write(line, used);
    chunk[used++] = 0x0a;
    if (used >= CHUNK) {
      yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(CHUNK * 2);
      used = 0;
    }
  }
  if (used) yield chunk.subarray(0, used);
}

/** Streams lines in chunks: an export of millions of records is never one string. */
export function jsonlStream(lines: Iterable<string>): ReadableStream<Uint8Array> {
  const chunks = jsonlChunks(lines);
  return new ReadableStream({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel() {
      chunks.return(undefined);
    },
  });
}

/**
 * Writes the lines to `path`, a chunk at a time with the event loop free between chunks (the
 * fake keeps answering polls while it writes), and resolves with the lines and bytes written.
 */
export async function writeJsonl(
  lines: Iterable<string>,
  path: string,
  progress: (lines: number) => void,
): Promise<{ lines: number; bytes: number }> {
  const out = createWriteStream(path);
  let count = 0;
  let bytes = 0;
  const counted = function* () {
    for (const line of lines) {
      count++;
      yield line;
    }
  };
  try {
    for (const chunk of jsonlChunks(counted())) {
      bytes += chunk.length;
      progress(count);
      if (!out.write(chunk)) await once(out, 'drain');
      else await new Promise((r) => setImmediate(r));
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { lines: count, bytes };
}
