import {
  type Answer,
  answerIncoming,
  answerTurn,
  type CallServiceDeps,
  recordStatus,
  type StatusResult,
} from './call-service.js';
import type { StatusParams, VoiceParams } from './webhook-params.js';

/** Writes committed and the transactions they took. */
export interface WriteCounts {
  writes: number;
  commits: number;
}

/**
 * What the voice webhooks ask of the call service, wherever it runs: on the server's own thread, or on a thread of
 * its own with its own connection (`call-thread.ts`). Either way an answer resolves only after its commit.
 */
export interface Calls {
  /** True when the calls run on a thread of their own. */
  readonly onThread: boolean;
  incoming(params: VoiceParams): Promise<Answer>;
  turn(params: VoiceParams, turn: number): Promise<Answer>;
  status(params: StatusParams): Promise<StatusResult>;
  /** The writes of a call thread so far, which the server's store does not see; undefined on the server's thread. */
  writeCounts(): WriteCounts | undefined;
  /** Settles what is under way and stops. */
  close(): Promise<void>;
}

/** The call service on the caller's own thread, through the store it is given. */
export function callsInProcess(deps: CallServiceDeps): Calls {
  return {
    onThread: false,
    incoming: (params) => answerIncoming(deps, params),
    turn: (params, turn) => answerTurn(deps, params, turn),
    status: (params) => recordStatus(deps, params),
    writeCounts: () => undefined,
    close: async () => undefined,
  };
}
