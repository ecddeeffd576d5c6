// The load generator in a process of its own (see LoadGenerator in load.ts). Its requests arrive
// once, packed into a few buffers, so its heap stays small and its garbage collection short:
// latency is measured here, and a pause of this process would count as the server's.
import {
  runLoad,
  runOpenLoad,
  SIGNATURE_LENGTH,
  type LoadJob,
  type LoadResult,
  type RequestPool,
} from './load.ts';

let pool: RequestPool | undefined;
const decoder = new TextDecoder('latin1');

function request(n: number) {
  const p = pool!;
  const count = p.offsets.length - 1;
  if (n >= count) throw new Error('request budget exhausted: raise the budget');
  return {
    body: Buffer.from(
      p.bodies.buffer,
      p.bodies.byteOffset + p.offsets[n]!,
      p.offsets[n + 1]! - p.offsets[n]!,
    ),
    headers: {
      'content-type': 'application/json',
      'x-line-signature': decoder.decode(
        p.signatures.subarray(n * SIGNATURE_LENGTH, (n + 1) * SIGNATURE_LENGTH),
      ),
    },
  };
}

process.on('message', (job: LoadJob) => {
  let run: Promise<LoadResult>;
  switch (job.type) {
    case 'pool':
      pool = job.pool;
      process.send!({ ok: true });
      return;
    case 'closed': {
      const count = pool!.offsets.length - 1;
      run = runLoad({
        ...job,
        request: (i) => request(job.wrap ? (job.from + i) % count : job.from + i),
      });
      break;
    }
    case 'open':
      run = runOpenLoad({ ...job, request: (i) => request(job.from + i) });
      break;
    default: {
      const unknown: never = job;
      throw new Error(`unknown job ${JSON.stringify(unknown)}`);
    }
  }
  void run.then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: String(error) }),
  );
});
process.send!({ ok: true });
