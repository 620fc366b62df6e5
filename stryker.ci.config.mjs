// The small mutation run CI repeats on every change: the call flow and the hash chain (`npm run mutate:ci`).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.stryker-ci.config.ts', related: false },
  mutate: ['src/flow/flow.ts', 'src/db/chain.ts'],
  // The pure tests are fast enough to run the module-level mutants too (the hashed keys above all).
  ignoreStatic: false,
  incremental: false,
  reporters: ['clear-text', 'progress'],
};
