import { type Clock, type IdGenerator, randomIds, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { migrate, openStore } from './db/store.js';
import { loadSigner } from './evidence/checkpoint.js';
import { createLedgerMonitor } from './evidence/ledger-monitor.js';
import type { Logger } from './logger.js';
import { loadVoiceScripts } from './scripts/load.js';

/**
 * Opens the database (applying migrations) and loads the voice scripts: everything a server needs before it
 * takes a call. A bad voice script stops here, before the database is touched.
 */
export async function buildContext(
  config: Config,
  logger: Logger,
  overrides: { clock?: Clock; ids?: IdGenerator } = {},
): Promise<AppContext> {
  const scripts = await loadVoiceScripts(config.voiceScriptsDir);
  // A missing or damaged key stops start-up here, like a bad voice script.
  const signer = config.checkpointKeyFile === undefined ? undefined : loadSigner(config.checkpointKeyFile);
  const store = openStore(config.databaseUrl);
  try {
    await migrate(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  const clock = overrides.clock ?? systemClock;
  return {
    config,
    store,
    logger,
    scripts,
    clock,
    ids: overrides.ids ?? randomIds,
    ledger: createLedgerMonitor({ db: store.db, logger, clock }),
    signer,
  };
}
