import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { EventFilter } from '../db/event-query.js';
import { workerBuilt } from '../worker-thread.js';
import type { ExportOptions } from './write-export.js';

export interface WorkerRequest {
  file: string;
  filter: EventFilter;
  options: Omit<ExportOptions, 'onRow' | 'statementText'>;
}

export type WorkerMessage = { chunk: Uint8Array; rows: number } | { done: number } | { error: string };

const WORKER = new URL('./export-worker.js', import.meta.url);

// An export's memory stays flat (a page of rows and a chunk at a time): a bound that a leak would hit at once.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 128 };

/**
 * Whether exports can run in a worker thread: the ledger is a file another connection can open, and the worker's
 * compiled module is there (not when the sources run under a test runner).
 */
export function canExportInWorker(file: string): boolean {
  return file !== ':memory:' && workerBuilt(WORKER);
}

/**
 * Runs an export of the ledger file in a worker thread, writing what it formats to `out`, which it ends;
 * resolves with the number of events. The worker's memory is bounded like the CLI's; when `out` goes away (a
 * client abandons a download) the worker is stopped.
 */
export function exportInWorker(
  request: WorkerRequest,
  out: Writable,
  onRow?: (written: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: request, resourceLimits: WORKER_LIMITS });
    let settled = false;
    const settle = (err: Error | undefined, rows?: number) => {
      if (settled) return;
      settled = true;
      out.off('close', onClose);
      if (err) {
        void worker.terminate();
        reject(err);
      } else resolve(rows as number);
    };
    const onClose = () => {
      if (!out.writableFinished) settle(new Error('the export stream closed before the export was complete'));
    };
    out.on('close', onClose);
    worker.on('message', (message: WorkerMessage) => {
      if ('chunk' in message) {
        onRow?.(message.rows);
        const ack = () => worker.postMessage('next');
        if (out.write(message.chunk)) ack();
        else out.once('drain', ack);
      } else if ('done' in message) {
        out.end(() => settle(undefined, message.done));
      } else settle(new Error(message.error));
    });
    worker.on('error', (err) => settle(err));
    worker.on('exit', (code) => {
      if (!settled && code !== 0) settle(new Error(`the export worker stopped with exit code ${code}`));
    });
  });
}
