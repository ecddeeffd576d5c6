/**
 * Requests a fake holds open for timeout tests. `hang(ms)` answers after `ms` (Infinity: never,
 * until `release`); `release` lets every held request go, so no promise outlives a closed fake.
 */
export function createHangs() {
  const hanging = new Set<() => void>();
  return {
    async hang(ms: number | undefined): Promise<void> {
      if (ms === undefined || ms <= 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          hanging.delete(done);
          resolve();
        };
        // setTimeout clamps Infinity to 1 ms, so "never" is only a pending promise.
        const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
        hanging.add(done);
      });
    },
    release(): void {
      for (const done of [...hanging]) done();
    },
  };
}
