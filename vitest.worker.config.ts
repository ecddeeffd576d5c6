import { defineConfig } from 'vitest/config';

/** The Workers smoke test: needs the bundle (`npm run build:worker`) and a PostgreSQL server. */
export default defineConfig({
  test: { include: ['test/worker/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
