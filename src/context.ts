import type { Clock, IdGenerator } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './db/store.js';
import type { LedgerMonitor } from './evidence/ledger-monitor.js';
import type { NoteSigner } from './evidence/signed-note.js';
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
  /** The running verification of the ledger; `ledger.last` is its last result (health, readiness, answers). */
  ledger: LedgerMonitor;
  /** The key that signs checkpoints and proofs, when CHECKPOINT_KEY_FILE is set. */
  signer: NoteSigner | undefined;
}
