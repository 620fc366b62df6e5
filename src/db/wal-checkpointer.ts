import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the background connection copies the WAL back into the database. */
  intervalMs: number;
  /** Above this, the checkpoint waits for writers and readers and truncates the WAL to nothing. */
  maxWalBytes: number;
}

export interface WalCheckpointer {
  /** The WAL's size at the last look, and the last checkpoint's outcome. */
  readonly last: { walBytes: number; mode: 'PASSIVE' | 'TRUNCATE'; error?: string } | undefined;
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
const tick = () => {
  let walBytes = 0;
  try { walBytes = statSync(workerData.file + '-wal').size; } catch {}
  const mode = walBytes > workerData.maxWalBytes ? 'TRUNCATE' : 'PASSIVE';
  try {
    db.pragma('wal_checkpoint(' + mode + ')');
    parentPort.postMessage({ walBytes, mode });
  } catch (err) {
    parentPort.postMessage({ walBytes, mode, error: String(err && err.message) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
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
  const state: { last: WalCheckpointer['last'] } = { last: undefined };
  let stopping = false;
  worker.on('message', (m) => {
    state.last = m;
  });
  worker.on('error', (err) => {
    if (!stopping) onFailure(err);
  });
  return {
    get last() {
      return state.last;
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
