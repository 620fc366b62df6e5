import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Whether a worker thread's compiled module is there to start. It is not when the sources run under a test runner
 * (vitest runs `src/`, a worker needs `dist/`): the work then runs on the calling thread.
 */
export function workerBuilt(module: URL): boolean {
  return module.protocol !== 'file:' || existsSync(fileURLToPath(module));
}

/**
 * Runs a worker thread that posts one answer: resolves with it, or rejects with the thread's error, or with
 * `what` stopped if it ends without answering.
 */
export function workerAnswer<T>(module: URL, workerData: unknown, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(module, { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    // After an answer this does nothing: a promise settles once.
    worker.once('exit', (code) => reject(new Error(`${what} stopped without answering (exit code ${code})`)));
  });
}
