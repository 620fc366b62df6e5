import { defineConfig } from 'vitest/config';

/** The fast, pure tests that judge the flow and the chain mutants in CI: no HTTP server, no process. */
export default defineConfig({
  test: {
    include: [
      'test/flow/**/*.test.ts',
      'test/db/known-answers.test.ts',
      'test/db/later-keys.test.ts',
      'test/db/chain.test.ts',
      'test/db/sql-canonical.test.ts',
    ],
    // One module graph for all files (see vitest.stryker.config.ts).
    isolate: false,
    // One module graph cannot give each file a PostgreSQL database of its own (test/helpers/engines.ts).
    env: { OPTIN_TEST_ENGINES: 'sqlite' },
  },
});
