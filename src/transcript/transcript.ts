import type { Kysely } from 'kysely';
import { callSidsByReference, findCall, stepsForCall } from '../db/calls.js';
import { eventsForCall } from '../db/ledger.js';
import type { Call, ConsentEvent, Database } from '../db/schema.js';
import { statementsByHash } from '../db/statements.js';
import { CALL_REFERENCE, callSid } from '../params/call-id.js';

export interface TranscriptStep {
  at: string;
  turn: number;
  kind: 'prompt' | 'key' | 'silence' | 'status' | 'language' | 'transfer';
  prompt_id: string | null;
  /** The exact words played, for a prompt. */
  text: string | null;
  statement_sha256: string | null;
  digits: string | null;
  detail: string | null;
}

export interface Transcript {
  call: Pick<
    Call,
    | 'call_sid'
    | 'account_sid'
    | 'from_number'
    | 'to_number'
    | 'direction'
    | 'reference'
    | 'script_id'
    | 'script_version'
    | 'language'
    | 'outcome'
    | 'designated_number'
    | 'number_source'
    | 'started_at'
    | 'ended_at'
    | 'call_status'
    | 'duration_seconds'
  >;
  steps: TranscriptStep[];
  events: ConsentEvent[];
}

/** A call as the caller lived it: every prompt in its exact words, every key, and the events it recorded. */
export async function callTranscript(db: Kysely<Database>, callSid: string): Promise<Transcript | undefined> {
  const call = await findCall(db, callSid);
  if (!call) return undefined;
  const steps = await stepsForCall(db, callSid);
  const hashes = [...new Set(steps.flatMap((s) => (s.statement_sha256 ? [s.statement_sha256] : [])))];
  const texts = new Map((await statementsByHash(db, hashes)).map((s) => [s.sha256, s.text]));
  return {
    call: {
      call_sid: call.call_sid,
      account_sid: call.account_sid,
      from_number: call.from_number,
      to_number: call.to_number,
      direction: call.direction,
      reference: call.reference,
      script_id: call.script_id,
      script_version: call.script_version,
      language: call.language,
      outcome: call.outcome,
      designated_number: call.designated_number,
      number_source: call.number_source,
      started_at: call.started_at,
      ended_at: call.ended_at,
      call_status: call.call_status,
      duration_seconds: call.duration_seconds,
    },
    steps: steps.map((s) => ({
      at: s.at,
      turn: s.turn,
      kind: s.kind,
      prompt_id: s.prompt_id,
      text: s.statement_sha256 ? (texts.get(s.statement_sha256) ?? null) : null,
      statement_sha256: s.statement_sha256,
      digits: s.digits,
      detail: s.detail,
    })),
    events: await eventsForCall(db, callSid),
  };
}

/** An 8-digit reference that more than one call heard (references can repeat): ask for one by its CallSid. */
export class AmbiguousReferenceError extends Error {
  override name = 'AmbiguousReferenceError';
  constructor(
    readonly reference: string,
    readonly callSids: readonly string[],
  ) {
    super(`reference ${reference} belongs to ${callSids.length} calls: ask for one by its CallSid`);
  }
}

/** A CallSid as given, or the calls behind the 8-digit reference a caller heard. */
export async function resolveCall(db: Kysely<Database>, idOrReference: string): Promise<string[]> {
  const id = idOrReference.trim();
  if (CALL_REFERENCE.test(id)) return callSidsByReference(db, id);
  return [callSid(id)];
}
