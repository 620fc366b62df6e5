// The worker thread of `exportInWorker`: reads the ledger through its own read-only connection and formats the
// export, handing each chunk to the parent, which writes it to the client. The parent's event loop (the phone
// line) does no formatting.

import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/store.js';
import type { WorkerMessage, WorkerRequest } from './export-in-worker.js';
import { statementTexts } from './statement-texts.js';
import { exportEvents } from './write-export.js';

const port = parentPort;
if (!port) throw new Error('export-worker runs as a worker thread');
const request = workerData as WorkerRequest;
const post = (message: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? []);

// Each chunk waits for the parent to have written it: at most one chunk and this stream's buffer in flight.
let acknowledged: (() => void) | undefined;
port.on('message', () => acknowledged?.());
const toParent = new Writable({
  highWaterMark: 1 << 20,
  write(chunk: Buffer, _encoding, done) {
    const copy = new Uint8Array(chunk.byteLength);
    copy.set(chunk);
    acknowledged = () => done();
    post({ chunk: copy, rows }, [copy.buffer]);
  },
  final(done) {
    done();
  },
});

let rows = 0;
const store = openStore(request.file, { readonly: true });
try {
  const written = await exportEvents(store.db, request.filter, toParent, {
    ...request.options,
    statementText: statementTexts(store.db),
    onRow: (n) => {
      rows = n;
    },
  });
  post({ done: written });
} catch (err) {
  post({ error: (err as Error).message ?? String(err) });
} finally {
  await store.close();
  port.close();
}
