import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', '{crm,db,bot,carts,jobs,rich-menus,server}/**/*.test.ts'],
    exclude: ['test/worker/**', 'node_modules/**'],
    // Database tests each start PGlite (or a fresh PostgreSQL database) and spawn servers:
    // generous timeouts, and few files at once on a 2-core machine.
    setupFiles: ['test/setup/spec-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
