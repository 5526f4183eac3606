import { defineConfig } from 'vitest/config';

// Projects: `unit` is hermetic (no Docker, no network) and is what `npm test`
// runs; `docker` talks to a real daemon and is run by `npm run test:docker`;
// the others have their own npm scripts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/docker/**', 'test/browser/**', 'test/soak/**', 'test/podman/**', 'test/multi-host/**', 'node_modules/**'],
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
      {
        // `npm run test:browser`: the page in Debian's Chromium (playwright-core) against the
        // real agent and a real daemon.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run test:podman`: the agent against Podman's Docker-compatible API
        // (.ci/start-podman.sh starts it), on both stats sources.
        test: {
          name: 'podman',
          include: ['test/podman/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run test:multi-host`: several agents as hosts (real Docker, Podman's API, a fake
        // Engine), peers found by a list and by DNS, the page in Chromium.
        test: {
          name: 'multihost',
          include: ['test/multi-host/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run soak`: minutes of churn and load against a real daemon (SOAK_MINUTES).
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
          testTimeout: 24 * 60 * 60 * 1000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
