import type { Clock, IdGenerator } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './db/store.js';
import type { WriteHealth } from './health/write-health.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';
import type { VoiceScripts } from './scripts/load.js';

/** Everything the application depends on, built once at start-up and passed to whatever needs it. */
export interface AppContext {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  scripts: VoiceScripts;
  metrics: Metrics;
  /** The outcome of the latest write, for readiness; also the store's write observer. */
  writes: WriteHealth;
}
