import type { CommitInfo } from '../db/group-commit.js';
import type { CallerId } from '../phone/phone.js';
import type { VoiceScript } from '../scripts/schema.js';
import type { Answer, StatusResult } from './call-service.js';
import { CallEndedError, CallNotFoundError } from './call-service.js';
import type { StatusParams, VoiceParams } from './webhook-params.js';

/**
 * What the call thread is started with: the ledger to open, and the scripts the server loaded and checked (against
 * the words callers already heard), so that both threads run the very same ones.
 */
export interface CallThreadData {
  databaseUrl: string;
  scripts: readonly VoiceScript[];
}

/** From the server to the call thread. */
export type CallThreadRequest =
  | { op: 'incoming'; id: number; params: VoiceParams; caller: CallerId }
  | { op: 'turn'; id: number; params: VoiceParams; turn: number }
  | { op: 'status'; id: number; params: StatusParams }
  | { op: 'close' };

/** An error as it crosses threads: enough to answer it as the server would have on its own thread. */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string | undefined;
  code?: string | undefined;
}

/** From the call thread to the server. */
export type CallThreadMessage =
  | { type: 'ready' }
  | { type: 'start-failed'; error: ThreadError }
  | { type: 'answer'; id: number; value: Answer | StatusResult }
  | { type: 'error'; id: number; error: ThreadError }
  | { type: 'committed'; write: { seconds: number; batchSize?: number } }
  | { type: 'failed'; failure: { code: string; message: string } }
  | { type: 'commit'; info: CommitInfo };

/**
 * Sends what one turn of the event loop produced as one message: one copy across threads instead of one each, and
 * the call thread gets a turn's requests together, so they share a transaction as they would on one thread.
 */
export function batchedSender<T>(post: (messages: T[]) => void): (message: T) => void {
  let pending: T[] = [];
  return (message) => {
    if (pending.length === 0) {
      setImmediate(() => {
        const messages = pending;
        pending = [];
        post(messages);
      });
    }
    pending.push(message);
  };
}

export function toThreadError(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, stack: err.stack, code: typeof code === 'string' ? code : undefined };
}

/**
 * The error again, on the server's side: the call service's own errors as their classes (a 404 or a 409 to
 * Twilio), anything else as an Error with the name, code and stack it had (a storage failure stays one).
 */
export function fromThreadError(error: ThreadError): Error {
  const Known = KNOWN[error.name];
  const err = Known ? new Known(error.message) : Object.assign(new Error(error.message), { name: error.name });
  if (error.stack !== undefined) err.stack = error.stack;
  if (error.code !== undefined) Object.assign(err, { code: error.code });
  return err;
}

const KNOWN: Record<string, new (message: string) => Error> = {
  CallNotFoundError,
  CallEndedError,
};
