import { defineConfig } from 'vitest/config';

// The suite runs on PGlite always, and on PostgreSQL too when TEST_DATABASE_URL is set
// (CI sets it). Browser tests drive Chromium against a server on PGlite.
const engines = process.env.TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true as const, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      ...engines.map((engine) => ({
        extends: true as const,
        test: {
          name: engine,
          // test/pglite: the embedded engine's data directory; test/postgresql: races between
          // connections, which PGlite's single connection cannot have.
          include: ['test/api/**/*.test.ts', `test/${engine}/**/*.test.ts`],
          env: { TEST_DB_ENGINE: engine },
        },
      })),
      {
        extends: true as const,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], env: { TEST_DB_ENGINE: 'pglite' } },
      },
    ],
  },
});
