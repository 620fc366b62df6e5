import type { Kysely } from 'kysely';
import { type Clock, type IdGenerator, randomIds, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { CommitInfo } from './db/group-commit.js';
import type { Database } from './db/schema.js';
import { databaseFile, engineOfUrl, migrate, openStore, type Store } from './db/store.js';
import { loadSigner } from './evidence/checkpoint.js';
import { createLedgerMonitor, type LedgerMonitor } from './evidence/ledger-monitor.js';
import type { NoteSigner } from './evidence/signed-note.js';
import { type WriteHealth, writeHealth } from './health/write-health.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { formatProblem } from './scripts/check.js';
import { loadVoiceScripts, VoiceScriptError, type VoiceScripts } from './scripts/load.js';
import type { VoiceScript } from './scripts/schema.js';
import { changedPrompts } from './scripts/version-guard.js';
import { canRunCallThread, startCallThread } from './voice/call-thread.js';
import { type Calls, callsInProcess, type WriteCounts } from './voice/calls.js';

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
  /** The call service the voice webhooks use: on this thread, or on a thread of its own (`callThread`). */
  calls: Calls;
  /** Writes committed and transactions used, by the store and by a call thread together. */
  writeCounts(): WriteCounts;
  /** Stops what the context runs in the background (ledger verification, `onClose` work) and closes the database. */
  close(): Promise<void>;
  /** Work started later that `close()` must stop first (a checkpoint schedule). */
  onClose(stop: () => void): void;
}

export interface ContextOptions {
  clock?: Clock;
  ids?: IdGenerator;
  onCommit?: (info: CommitInfo) => void;
  /**
   * Run the call service on a thread of its own with its own connection (`serve`, by CALL_THREAD), where the
   * database allows it (`canRunCallThread`). That thread reads the system clock and makes random ids.
   */
  callThread?: boolean;
  /** The call thread stopped on its own: the server cannot take calls any more. */
  onCallThreadStopped?: (err: Error) => void;
}

/**
 * Opens the database (applying migrations) and loads the voice scripts: everything a server needs before it
 * takes a call. A bad voice script stops here, before the database is touched.
 */
export async function createAppContext(
  config: Config,
  logger: Logger,
  overrides: ContextOptions = {},
): Promise<AppContext> {
  const scripts = await loadVoiceScripts(config.voiceScriptsDir, { maxPromptSeconds: config.voicePromptMaxSeconds });
  for (const warning of scripts.warnings)
    logger.warn({ file: warning.file, line: warning.line }, formatProblem(warning));
  // A missing or damaged key stops start-up here, like a bad voice script.
  const signer = config.checkpointKeyFile === undefined ? undefined : loadSigner(config.checkpointKeyFile);
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics({
    databaseFile: engineOfUrl(config.databaseUrl) === 'sqlite' ? databaseFile(config.databaseUrl) : undefined,
  });
  const writes = writeHealth(metrics, clock);
  // A server: WAL checkpoints in the background, not in the commit of whichever caller crosses the threshold.
  const store = openStore(config.databaseUrl, {
    backgroundCheckpoints: true,
    postgres: config.postgres,
    observer: writes,
    onCommit: overrides.onCommit,
  });
  const ids = overrides.ids ?? randomIds;
  let calls: Calls;
  try {
    await migrate(store.db);
    await refuseChangedWords(store.db, scripts.all);
    calls =
      overrides.callThread && canRunCallThread(config.databaseUrl)
        ? await startCallThread({
            databaseUrl: config.databaseUrl,
            scripts: scripts.all,
            observer: writes,
            onCommit: overrides.onCommit,
            onStopped: overrides.onCallThreadStopped,
          })
        : callsInProcess({ write: store.write, scripts, clock, ids });
  } catch (err) {
    metrics.close();
    await store.close();
    throw err;
  }
  const ledger = createLedgerMonitor({
    db: store.db,
    logger,
    clock,
    onResult: (r) => metrics.ledgerVerified({ ok: r.verified, at: clock.now(), count: r.events }),
  });
  const stops: (() => void)[] = [];
  let closed: Promise<void> | undefined;
  return {
    config,
    store,
    logger,
    scripts,
    clock,
    ids,
    metrics,
    writes,
    ledger,
    signer,
    calls,
    writeCounts() {
      const own = store.writeStats();
      const thread = calls.writeCounts();
      return { writes: own.writes + (thread?.writes ?? 0), commits: own.commits + (thread?.commits ?? 0) };
    },
    onClose: (stop) => void stops.push(stop),
    close() {
      // Idempotent: a second close (a test's afterEach after the test closed it) waits for the first.
      closed ??= (async () => {
        for (const stop of stops) stop();
        ledger.stop();
        // The call thread commits what it was given before the store it shares the file with closes.
        await calls.close();
        metrics.close();
        await store.close();
      })();
      return closed;
    },
  };
}

/** Evidence names a script version: the words under a version already played must never change. */
async function refuseChangedWords(db: Kysely<Database>, scripts: readonly VoiceScript[]): Promise<void> {
  const changed = await changedPrompts(db, scripts);
  if (changed.length === 0) return;
  const lines = changed.map(
    (c) =>
      `voice script "${c.scriptId}" version ${c.version}: ${c.language} prompt ${c.promptId} differs from the words callers already heard`,
  );
  throw new VoiceScriptError(`${lines.join('\n')}\nchange the script's version whenever its words change`);
}
