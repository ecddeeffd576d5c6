// The open-loop load generator in a process of its own (see runOpenLoadApart): it receives its
// requests once, runs, and sends back what it measured.
import { runOpenLoad } from './load.ts';

interface Job {
  url: string;
  path: string;
  rate: number;
  seconds: number;
  requests: Array<{ body: string; headers: Record<string, string> }>;
}

process.once('message', (job: Job) => {
  void runOpenLoad({ ...job, request: (n) => job.requests[n]! }).then((result) => {
    process.send!({ ...result, latencies: Array.from(result.latencies) }, () => process.exit(0));
  });
});
process.send!('ready');
