import { defineConfig } from 'vitest/config';

/** The Workers smoke test: needs the bundle (`npm run build:worker`) and a PostgreSQL server. */
export default defineConfig({
  test: {
    include: ['test/worker/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      TEST_DATABASE_URL:
        process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
