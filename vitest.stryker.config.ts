import { defineConfig } from 'vitest/config';

/**
 * The tests a mutation run uses: those that run the mutated modules in this process and judge them directly.
 * Tests that start a built `dist/` process cannot see a mutant; the API and CLI tests, which seed thousands of
 * events through the same code, would multiply the run's time without judging anything the tests here do not.
 */
export default defineConfig({
  test: {
    include: [
      'test/flow/**/*.test.ts',
      'test/voice/call-service.test.ts',
      'test/voice/statement-guard.test.ts',
      'test/voice/signature.test.ts',
      'test/voice/twiml-known-answer.test.ts',
      'test/db/ledger.test.ts',
      'test/db/known-answers.test.ts',
      'test/db/chain.test.ts',
      'test/db/sql-canonical.test.ts',
      'test/db/later-keys.test.ts',
      'test/evidence/attacks.test.ts',
      'test/consent/**/*.test.ts',
      'test/phone/**/*.test.ts',
      'test/export/spreadsheet-safe.test.ts',
      'test/export/csv-known-answer.test.ts',
      'test/export/export-line.test.ts',
    ],
    // One module graph for all files: the Twilio library and the app are imported once, not once per file and
    // mutant. Safe here because ignoreStatic leaves no mutant in module-level code; the one module state a mutant
    // could hide behind, phone.ts's cache of parsed numbers, is fresh for each run of test/phone/phone.test.ts
    // (it imports a copy of its own).
    isolate: false,
    // One module graph cannot give each file a PostgreSQL database of its own (test/helpers/engines.ts).
    env: { OPTIN_TEST_ENGINES: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
