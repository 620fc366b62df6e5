import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the background connection copies the WAL back into the database. */
  intervalMs: number;
  /** Above this, the checkpoint waits for writers and readers and truncates the WAL to nothing. */
  maxWalBytes: number;
  /**
   * Above this much WAL written since it last started afresh, the writer lets the background connection catch up
   * between two transactions (`catchUp`), so the next transaction starts the WAL from its beginning again.
   */
  restartWalBytes: number;
}

export interface CheckpointResult {
  /** The WAL file's size (it is reused from its start once checkpointed, so it does not shrink by itself). */
  walBytes: number;
  /** What the WAL holds since it last started afresh, and how much of that is copied into the database. */
  logBytes?: number;
  checkpointedBytes?: number;
  mode: 'PASSIVE' | 'TRUNCATE';
  error?: string;
}

export interface WalCheckpointer {
  /** The WAL's size at the last look, and the last checkpoint's outcome. */
  readonly last: CheckpointResult | undefined;
  /** True when the WAL has grown past `restartWalBytes` since the last catch-up. */
  readonly behind: boolean;
  /**
   * A checkpoint now, from the background connection, while the writer waits between two transactions: with no
   * write running it copies the whole WAL, and the writer's next transaction starts the WAL afresh. Without such a
   * pause a busy writer always has frames the checkpoint has not copied, and the WAL only grows.
   */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

// Runs in a worker thread with its own connection: better-sqlite3 is synchronous, so a checkpoint on the main
// thread would hold every request behind it. Plain CommonJS so it runs the same from src/ (tests) and dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { timeout: 5000 });
db.pragma('journal_size_limit = ' + workerData.maxWalBytes);
const pageSize = db.pragma('page_size', { simple: true });
const checkpoint = (forced) => {
  let walBytes = 0;
  try { walBytes = statSync(workerData.file + '-wal').size; } catch {}
  const mode = !forced && walBytes > workerData.maxWalBytes ? 'TRUNCATE' : 'PASSIVE';
  try {
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    return { walBytes, mode, logBytes: r.log * pageSize, checkpointedBytes: r.checkpointed * pageSize };
  } catch (err) {
    return { walBytes, mode, error: String(err && err.message) };
  }
};
const timer = setInterval(() => parentPort.postMessage(checkpoint(false)), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'catch-up') return parentPort.postMessage({ ...checkpoint(true), caughtUp: true });
  clearInterval(timer); db.close(); parentPort.close();
});
`;

/**
 * Checkpoints the WAL of `file` from a worker thread, so no request waits for one; `onFailure` runs if the worker
 * dies (the caller then lets SQLite checkpoint on commit again, so the WAL stays bounded either way).
 */
export function startWalCheckpointer(
  file: string,
  options: CheckpointerOptions,
  onFailure: (err: Error) => void,
): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, ...options } });
  worker.unref();
  const state: { last: CheckpointResult | undefined; behind: boolean } = { last: undefined, behind: false };
  let stopping = false;
  const caughtUp: (() => void)[] = [];
  worker.on('message', (m: CheckpointResult & { caughtUp?: boolean }) => {
    const { caughtUp: answered, ...result } = m;
    state.last = result;
    if (answered) {
      state.behind = false;
      for (const resolve of caughtUp.splice(0)) resolve();
    } else state.behind = (result.logBytes ?? 0) > options.restartWalBytes;
  });
  worker.on('error', (err) => {
    state.behind = false;
    for (const resolve of caughtUp.splice(0)) resolve();
    if (!stopping) onFailure(err);
  });
  return {
    get last() {
      return state.last;
    },
    get behind() {
      return state.behind && !stopping;
    },
    catchUp() {
      return new Promise<void>((resolve) => {
        caughtUp.push(resolve);
        if (caughtUp.length === 1) worker.postMessage('catch-up');
      });
    },
    async stop() {
      stopping = true;
      // Unreferenced, the worker would let the process end while close() still waits for it.
      worker.ref();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      await exited;
    },
  };
}
