import { defineConfig } from 'vitest/config';

/**
 * The tests a mutation run uses: those that run the mutated modules in this process. Tests that start a built
 * `dist/` process (several writers at once, `serve`, a real terminal) cannot see a mutant, so they are left out.
 */
export default defineConfig({
  test: {
    include: [
      'test/flow/**/*.test.ts',
      'test/voice/**/*.test.ts',
      'test/db/ledger.test.ts',
      'test/db/known-answers.test.ts',
      'test/db/chain.test.ts',
      'test/consent/**/*.test.ts',
      'test/phone/**/*.test.ts',
      'test/export/spreadsheet-safe.test.ts',
      'test/export/write-export.test.ts',
      'test/api/subscribers.test.ts',
      'test/api/consent-events.test.ts',
      'test/cli/status-revoke.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
