import { defineConfig } from 'vitest/config';

// Two projects: `unit` is hermetic (no Docker, no network) and is what `npm test`
// runs; `docker` talks to a real daemon and is run by `npm run test:docker`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/docker/**', 'node_modules/**'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'docker',
          include: ['test/docker/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
