// The call thread: the call service with a connection of its own, so SQLite's statements and the COMMIT's fsync
// run beside the server's HTTP work instead of between its requests. Started by call-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { randomIds, systemClock } from '../clock.js';
import { openStore, type Store } from '../db/store.js';
import { registry } from '../scripts/load.js';
import { type Answer, answerIncoming, answerTurn, type CallServiceDeps, recordStatus } from './call-service.js';
import type { CallThreadData, CallThreadMessage, CallThreadRequest } from './call-thread-messages.js';
import { batchedSender, toThreadError } from './call-thread-messages.js';

const port = parentPort;
if (!port) throw new Error('call-thread-worker.js runs as a worker thread');
const send = batchedSender<CallThreadMessage>((messages) => port.postMessage(messages));
const data = workerData as CallThreadData;

let store: Store | undefined;
try {
  const scripts = registry(data.scripts);
  store = openStore(data.databaseUrl, {
    backgroundCheckpoints: true,
    observer: {
      committed: (write) => send({ type: 'committed', write }),
      failed: (failure) => send({ type: 'failed', failure }),
    },
    onCommit: (info) => send({ type: 'commit', info }),
  });
  const opened = store;
  const deps: CallServiceDeps = { write: opened.write, scripts, clock: systemClock, ids: randomIds };
  port.on('message', (requests: CallThreadRequest[]) => {
    for (const request of requests) {
      if (request.op === 'close') {
        // The server waits for this thread to end; the answers still to send go first.
        void opened.close().then(() => setImmediate(() => port.close()));
        return;
      }
      const id = request.id;
      run(deps, request).then(
        (value) => send({ type: 'answer', id, value }),
        (err: unknown) => send({ type: 'error', id, error: toThreadError(err) }),
      );
    }
  });
  send({ type: 'ready' });
} catch (err) {
  await store?.close().catch(() => undefined);
  port.postMessage([{ type: 'start-failed', error: toThreadError(err) }] satisfies CallThreadMessage[]);
  port.close();
}

async function run(deps: CallServiceDeps, request: Exclude<CallThreadRequest, { op: 'close' }>) {
  switch (request.op) {
    case 'incoming':
      return answerIncoming(deps, request.params, request.caller).then(slim);
    case 'turn':
      return answerTurn(deps, request.params, request.turn).then(slim);
    case 'status':
      return recordStatus(deps, request.params);
  }
}

/** The server needs three fields of the call's row, not the row: less to copy across threads. */
function slim(answer: Answer): Answer {
  const { call_sid, script_id, language } = answer.call;
  return { ...answer, call: { call_sid, script_id, language } };
}
