import { type Clock, type IdGenerator, randomIds, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { databaseFile, migrate, openStore } from './db/store.js';
import { writeHealth } from './health/write-health.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics/metrics.js';
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
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics({ databaseFile: databaseFile(config.databaseUrl) });
  const writes = writeHealth(metrics, clock);
  const store = openStore(config.databaseUrl, { observer: writes });
  try {
    await migrate(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    config,
    store,
    logger,
    scripts,
    clock,
    ids: overrides.ids ?? randomIds,
    metrics,
    writes,
  };
}
