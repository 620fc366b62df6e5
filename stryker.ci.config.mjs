// The small mutation run CI repeats on every change: the call flow and the hash chain (`npm run mutate:ci`).
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.stryker-ci.config.ts', related: false },
  mutate: ['src/flow/flow.ts', 'src/db/chain.ts'],
  incremental: false,
  reporters: ['clear-text', 'progress'],
};
