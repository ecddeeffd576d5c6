import type { RejectedRequest } from './types.ts';

/**
 * Every fake LINE a test creates, so that a request the official spec rejects fails the test that
 * sent it even when the test never looks at `specViolations` (checked after each test by
 * test/setup/spec-guard.ts).
 */
interface Watched {
  violations: RejectedRequest[];
  seen: number;
}

const watched = new Set<Watched>();

export function watchSpecViolations(violations: RejectedRequest[]): void {
  watched.add({ violations, seen: violations.length });
}

/** Throws when any watched fake refused a request as a spec violation since the last check. */
export function checkSpecViolations(): void {
  const fresh: RejectedRequest[] = [];
  for (const w of watched) {
    fresh.push(...w.violations.slice(w.seen));
    w.seen = w.violations.length;
  }
  if (fresh.length > 0) {
    const lines = fresh.map((v) => `  ${JSON.stringify(v).slice(0, 400)}`).join('\n');
    throw new Error(
      `a fake refused ${fresh.length} request(s) that the platform's official spec rejects:\n${lines}`,
    );
  }
}

/** For tests that send violating requests on purpose: what they sent so far is not held against them. */
export function acceptSpecViolations(): void {
  for (const w of watched) w.seen = w.violations.length;
}
