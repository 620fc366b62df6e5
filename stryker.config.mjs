// Mutation testing of the modules that decide consent and evidence: `npm run mutate` (see docs/testing.md).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/flow/flow.ts',
    'src/voice/call-service.ts',
    'src/db/chain.ts',
    'src/db/ledger.ts',
    'src/consent/subscriber-status.ts',
    'src/consent/opt-out.ts',
    'src/voice/signature.ts',
    'src/export/spreadsheet-safe.ts',
    'src/export/export-line.ts',
    'src/phone/phone.ts',
  ],
  // The machine is shared: one test process at a time.
  concurrency: 1,
  // Module-level values (the hashed keys, the withheld caller IDs, the formula characters) would each need the
  // whole test set run again, about a minute each; docs/testing.md lists the known-answer tests that pin them.
  ignoreStatic: true,
  // Reuses the results of mutants whose code and tests did not change since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  timeoutMS: 20_000,
  thresholds: { high: 90, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
