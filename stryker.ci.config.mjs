// The small mutation run CI repeats on every change: the call flow and the hash chain (`npm run mutate:ci`).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.stryker-ci.config.ts', related: false },
  mutate: ['src/flow/flow.ts', 'src/db/chain.ts'],
  incremental: false,
  // Flow and chain score 97 % (docs/testing.md lists every survivor): CI fails when the score falls below 95 %,
  // i.e. when about ten new mutants go unkilled, long before the 85 % of the whole run would notice.
  thresholds: { high: 97, low: 95, break: 95 },
  reporters: ['clear-text', 'progress'],
};
