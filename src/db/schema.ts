import type { Generated, Insertable, Selectable } from 'kysely';
import type { CallOutcome, Decision, EventSource, NumberSource } from '../ledger-vocabulary.js';
import type { DeskAccessLogTable, DeskSessionsTable, DeskSignInFailuresTable, DeskUsersTable } from './desk-schema.js';

export interface CallsTable {
  call_sid: string;
  account_sid: string;
  from_number: string;
  to_number: string;
  direction: string | null;
  script_id: string;
  script_version: string;
  language: string;
  /** The short number read to the caller, to quote when they ask about this call. */
  reference: string;
  /** The call flow's state (JSON), so any process can pick up the next webhook. */
  state: string;
  /** The number of the next webhook turn this call expects. */
  turn: number;
  outcome: CallOutcome | null;
  designated_number: string | null;
  number_source: NumberSource | null;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
  call_status: string | null;
  status_sequence: number | null;
  duration_seconds: number | null;
}

/** The transcript: each prompt played and each key (or silence) received, in order. */
export interface CallStepsTable {
  id: Generated<number>;
  call_sid: string;
  turn: number;
  at: string;
  kind: 'prompt' | 'key' | 'silence' | 'status' | 'language' | 'transfer';
  prompt_id: string | null;
  statement_sha256: string | null;
  digits: string | null;
  detail: string | null;
}

/** The answer given to each webhook turn, replayed word for word when Twilio sends the same request again. */
export interface CallTurnsTable {
  call_sid: string;
  turn: number;
  response: string;
  created_at: string;
}

/** Every text ever spoken, by its SHA-256: any past call can be replayed after the script has changed. */
export interface StatementsTable {
  sha256: string;
  text: string;
  script_id: string;
  script_version: string;
  language: string;
  voice: string;
  prompt_id: string;
  first_used_at: string;
}

/** Append-only, hash-chained: the database refuses UPDATE and DELETE. */
export interface ConsentEventsTable {
  seq: number;
  event_id: string;
  call_sid: string | null;
  account_sid: string | null;
  called_number: string | null;
  phone_number: string | null;
  number_source: NumberSource | null;
  business: string;
  channel: string;
  category: string;
  decision: Decision;
  digits: string | null;
  prompt_id: string | null;
  attempt: number | null;
  source: EventSource;
  script_id: string | null;
  script_version: string | null;
  language: string | null;
  voice: string | null;
  statement_sha256: string | null;
  /**
   * For an IVR decision, the digest of its call's transcript up to the deciding key (see
   * `src/evidence/transcript-digest.ts`); null for other sources and for events recorded before it existed.
   */
  transcript_sha256: string | null;
  /** 1 when the request carrying the decision passed Twilio's signature check. */
  signature_verified: number | null;
  reason: string | null;
  recorded_at: string;
  prev_hash: string;
  hash: string;
  /**
   * The chain the event belongs to (one chain today, `LEDGER_CHAIN`): its seq and prev_hash follow the chain's
   * previous event. Not hashed: an event moved to another chain breaks the links of both.
   */
  chain_id: number;
}

/** The first answer to an API request sent with an `Idempotency-Key`, replayed when the request is repeated. */
export interface IdempotencyKeysTable {
  key: string;
  /** What the request asked for; the same key with a different request is refused. */
  fingerprint: string;
  status: number;
  body: string;
  created_at: string;
}

export interface Database {
  calls: CallsTable;
  call_steps: CallStepsTable;
  call_turns: CallTurnsTable;
  statements: StatementsTable;
  consent_events: ConsentEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  desk_users: DeskUsersTable;
  desk_sessions: DeskSessionsTable;
  desk_sign_in_failures: DeskSignInFailuresTable;
  desk_access_log: DeskAccessLogTable;
}

export type Call = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;
export type CallStep = Selectable<CallStepsTable>;
export type NewCallStep = Insertable<CallStepsTable>;
export type Statement = Selectable<StatementsTable>;
export type ConsentEvent = Selectable<ConsentEventsTable>;
