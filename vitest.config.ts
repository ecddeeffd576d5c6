import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    exclude: ['test/worker/**', 'node_modules/**'],
    // Database tests each start PGlite (or a fresh PostgreSQL database) and spawn servers:
    // generous timeouts, and few files at once on a 2-core machine.
    setupFiles: ['test/setup/spec-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts', '{crm,db,bot,carts,jobs,rich-menus,server}/**/*.test.ts'],
          exclude: ['test/worker/**', 'test/runtime/**', 'node_modules/**'],
        },
      },
      {
        // The runtime tests time a real server's start (healthy within 10 s on a fresh data
        // directory) and kill processes: they run last, one file at a time, with the machine to
        // themselves rather than beside another suite's file.
        extends: true,
        test: {
          name: 'runtime',
          include: ['test/runtime/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
