import { Worker } from 'node:worker_threads';
import type { CommitInfo } from '../db/group-commit.js';
import { databaseFile, engineOfUrl } from '../db/store.js';
import type { WriteObserver } from '../db/write-observer.js';
import { readCallerId } from '../phone/phone.js';
import { workerBuilt } from '../worker-thread.js';
import type { Answer, StatusResult } from './call-service.js';
import {
  batchedSender,
  type CallThreadData,
  type CallThreadMessage,
  type CallThreadRequest,
  fromThreadError,
} from './call-thread-messages.js';
import type { Calls, WriteCounts } from './calls.js';

const WORKER = new URL('./call-thread-worker.js', import.meta.url);

/**
 * Whether the call service can run on a thread of its own: a SQLite file, which a second connection can open, and
 * the thread's compiled module beside this one (not when the sources run under a test runner). PostgreSQL runs its
 * statements in its own server already.
 */
export function canRunCallThread(databaseUrl: string): boolean {
  return engineOfUrl(databaseUrl) === 'sqlite' && databaseFile(databaseUrl) !== ':memory:' && workerBuilt(WORKER);
}

export interface CallThreadOptions extends CallThreadData {
  /** Hears of the thread's commits and storage failures, as the server's own store's observer would. */
  observer: WriteObserver;
  onCommit?: ((info: CommitInfo) => void) | undefined;
  /** The thread stopped on its own (a crash): every call waiting is refused, and so is every later one. */
  onStopped?: ((err: Error) => void) | undefined;
  /** How the thread is made: tests give a stand-in. */
  spawn?: ((data: CallThreadData) => Worker) | undefined;
}

interface Waiting {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

/**
 * Starts the call thread and resolves once it has opened the ledger (or rejects with why
 * it could not). Answers come back in whatever order their commits end; each only after its own commit.
 */
export function startCallThread(options: CallThreadOptions): Promise<Calls> {
  const { observer, onCommit, onStopped, spawn, ...data } = options;
  const worker = spawn ? spawn(data) : new Worker(WORKER, { workerData: data });
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let stopped: Error | undefined;
  const counts: WriteCounts = { writes: 0, commits: 0 };
  let closing = false;
  let started: { resolve: (calls: Calls) => void; reject: (err: Error) => void } | undefined;
  let exited: (() => void) | undefined;
  const exit = new Promise<void>((resolve) => {
    exited = resolve;
  });

  const send = batchedSender<CallThreadRequest>((requests) => {
    if (!stopped) worker.postMessage(requests);
  });
  const ask = <T>(request: CallThreadRequest & { id: number }): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise<T>((resolve, reject) => {
      waiting.set(request.id, { resolve: resolve as (value: never) => void, reject });
      send(request);
    });
  };

  const calls: Calls = {
    onThread: true,
    // Parsed here, so that the two threads share the work of an incoming call more evenly.
    incoming: (params) => ask<Answer>({ op: 'incoming', id: nextId++, params, caller: readCallerId(params.from) }),
    turn: (params, turn) => ask<Answer>({ op: 'turn', id: nextId++, params, turn }),
    status: (params) => ask<StatusResult>({ op: 'status', id: nextId++, params }),
    writeCounts: () => ({ ...counts }),
    async close() {
      if (closing) return exit;
      closing = true;
      // The thread answers what it was sent before the close, closes its store (committing what is queued), and ends.
      if (!stopped) send({ op: 'close' });
      return exit;
    },
  };

  worker.on('message', (messages: CallThreadMessage[]) => {
    for (const message of messages) receive(message);
  });
  const receive = (message: CallThreadMessage) => {
    switch (message.type) {
      case 'answer':
      case 'error': {
        const entry = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.type === 'answer') entry?.resolve(message.value as never);
        else entry?.reject(fromThreadError(message.error));
        return;
      }
      case 'committed':
        return observer.committed(message.write);
      case 'failed':
        return observer.failed(message.failure);
      case 'commit':
        counts.writes += message.info.batchSize;
        counts.commits += 1;
        return onCommit?.(message.info);
      case 'ready':
        return started?.resolve(calls);
      case 'start-failed':
        stopped = fromThreadError(message.error);
        return started?.reject(stopped);
    }
  };
  let crash: Error | undefined;
  worker.on('error', (err) => {
    crash = err;
  });
  worker.on('exit', (code) => {
    const err = stopped ?? crash ?? new Error(`the call thread stopped (exit code ${code})`);
    const unexpected = !closing && !stopped;
    stopped = err;
    for (const entry of waiting.values()) entry.reject(err);
    waiting.clear();
    started?.reject(err);
    exited?.();
    if (unexpected) onStopped?.(err);
  });

  return new Promise<Calls>((resolve, reject) => {
    started = {
      resolve: (value) => {
        started = undefined;
        resolve(value);
      },
      reject: (err) => {
        started = undefined;
        reject(err);
      },
    };
  });
}
