import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes, read from /proc (Linux): where a benchmark's CPU goes, per component,
 * which stays meaningful on a busy machine where wall-clock throughput does not. Elsewhere
 * every reading is null and benchmarks skip the breakdown.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * Seconds the threads of a process spent ready to run but waiting for a CPU (the scheduler's
 * run-queue delay, /proc/<pid>/task/<tid>/schedstat), or null: on a machine with fewer cores than
 * busy processes, this is latency no code path shows.
 */
export function waitSecondsOf(pid: number): number | null {
  try {
    let total = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[1]);
    }
    return total / 1e9;
  } catch {
    return null;
  }
}

/**
 * CPU seconds (or, with `read`, any per-process reading) of all processes named `name` whose
 * command line contains `match` (PostgreSQL backends show their database there), or null.
 */
export function cpuSecondsNamed(
  name: string,
  match = '',
  read: (pid: number) => number | null = cpuSecondsOf,
): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  let total = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      if (match && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(match)) continue;
    } catch {
      continue; // exited meanwhile
    }
    total += read(Number(entry)) ?? 0;
  }
  return total;
}

/** Snapshots CPU seconds of named parts; `since()` gives each part's use since the snapshot. */
export function cpuMeter(parts: Record<string, () => number | null>) {
  const read = () => Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, f()]));
  const start = read();
  return {
    since(): Record<string, number | null> {
      const now = read();
      return Object.fromEntries(
        Object.keys(parts).map((k) => [
          k,
          now[k] === null || start[k] === null ? null : now[k]! - start[k]!,
        ]),
      );
    },
  };
}
