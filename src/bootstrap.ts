import { type Clock, type IdGenerator, randomIds, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { CommitInfo } from './db/group-commit.js';
import { migrate, openStore } from './db/store.js';
import type { Logger } from './logger.js';
import { loadVoiceScripts } from './scripts/load.js';

/**
 * Opens the database (applying migrations) and loads the voice scripts: everything a server needs before it
 * takes a call. A bad voice script stops here, before the database is touched.
 */
export async function buildContext(
  config: Config,
  logger: Logger,
  overrides: { clock?: Clock; ids?: IdGenerator; onCommit?: (info: CommitInfo) => void } = {},
): Promise<AppContext> {
  const scripts = await loadVoiceScripts(config.voiceScriptsDir);
  // A server: WAL checkpoints in the background, not in the commit of whichever caller crosses the threshold.
  const store = openStore(config.databaseUrl, { backgroundCheckpoints: true, onCommit: overrides.onCommit });
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
    clock: overrides.clock ?? systemClock,
    ids: overrides.ids ?? randomIds,
  };
}
