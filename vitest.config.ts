import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that run bin/optin-ivr.js (serve, signals, pipes) run dist/: build it first, so they test src/ as it is.
    globalSetup: ['test/build-dist.ts'],
    // Tests spawn servers and CLI processes; on a 2-core machine two workers keep them from starving each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
