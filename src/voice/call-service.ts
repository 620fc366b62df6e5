import type { Kysely } from 'kysely';
import type { Clock, IdGenerator } from '../clock.js';
import { isoTimestamp } from '../clock.js';
import {
  addSteps,
  findCall,
  findTurnResponse,
  insertNewCall,
  saveTurnResponse,
  stepsForCall,
  updateCall,
} from '../db/calls.js';
import { appendEvents } from '../db/ledger.js';
import { newIvrEvent } from '../db/new-event.js';
import type { Call, CallStep, ConsentEvent, Database, NewCallStep } from '../db/schema.js';
import { keepStatements } from '../db/statements.js';
import type { Store } from '../db/store.js';
import { advance, firstLanguage, hasLanguageMenu, newCallState } from '../flow/flow.js';
import type { CallState, Input, Turn } from '../flow/types.js';
import { sha256Hex } from '../hash.js';
import type { CallOutcome } from '../ledger-vocabulary.js';
import { type CallerId, readCallerId } from '../phone/phone.js';
import type { VoiceScripts } from '../scripts/load.js';
import type { VoiceScript } from '../scripts/schema.js';
import { renderTurn } from './twiml.js';
import type { StatusParams, VoiceParams } from './webhook-params.js';

export interface CallServiceDeps {
  /** The store's durable write (group commit): a turn is answered only once its transaction is committed. */
  write: Store['write'];
  scripts: VoiceScripts;
  clock: Clock;
  ids: IdGenerator;
}

export interface Answer {
  twiml: string;
  /** True when this answer was given before and is being repeated for a retried request. */
  replayed: boolean;
  events: ConsentEvent[];
  call: Pick<Call, 'call_sid' | 'script_id' | 'language'>;
}

/** Turns of a call are numbered; the Gather action names the next one, so a retried request is recognised. */
export function actionFor(turn: number): string {
  // Relative, so it resolves against wherever Twilio reached us (a path prefix behind a proxy included).
  return `turn?n=${turn}`;
}

/** No such call, or no such turn of it: a webhook for a call this service did not answer, or out of step with it. */
export class CallNotFoundError extends Error {
  override name = 'CallNotFoundError';
}

/** A turn for a call whose last answer hung up: Twilio has nothing more to send for it. */
export class CallEndedError extends Error {
  override name = 'CallEndedError';
}

/**
 * `POST /voice/incoming`: records the call and asks the consent question. The caller ID is parsed once, outside
 * the write (libphonenumber is the costliest step of an incoming call), or given already parsed by a server that
 * leaves the write to a call thread.
 */
export function answerIncoming(
  deps: CallServiceDeps,
  params: VoiceParams,
  caller: CallerId = readCallerId(params.from),
): Promise<Answer> {
  const script = deps.scripts.forNumber(params.to);
  const language = firstLanguage(script, params.fromCountry);
  return deps.write(async (trx) => {
    const now = isoTimestamp(deps.clock.now());
    const state = newCallState({
      language,
      languageMenu: hasLanguageMenu(script),
      callerId: caller.usable,
      callerNumber: caller.number,
      reference: referenceFor(params.callSid),
    });
    const call: Call = {
      call_sid: params.callSid,
      account_sid: params.accountSid,
      from_number: params.from,
      to_number: params.to,
      direction: params.direction,
      script_id: script.id,
      script_version: script.version,
      language,
      reference: state.reference,
      state: JSON.stringify(state),
      turn: 0,
      outcome: null,
      designated_number: null,
      number_source: null,
      started_at: now,
      updated_at: now,
      ended_at: null,
      call_status: 'in-progress',
      status_sequence: null,
      duration_seconds: null,
    };
    const turn = advance(script, state, { kind: 'start' });
    // The call goes in already past its first turn: one statement where an insert and an update would be two.
    const stored: Call = { ...call, ...afterTurn(call, turn, now) };
    // A retried webhook finds its call already there (in this batch or an earlier one): replay its answer.
    if (!(await insertNewCall(trx, stored))) return replay(trx, (await findCall(trx, params.callSid)) as Call, 0);
    return record(deps, trx, call, script, turn, now, stored);
  });
}

/** `POST /voice/turn?n=N`: the caller's answer to the question asked in turn N-1. */
export function answerTurn(deps: CallServiceDeps, params: VoiceParams, turn: number): Promise<Answer> {
  return deps.write(async (trx) => {
    const call = await findCall(trx, params.callSid);
    if (!call) throw new CallNotFoundError(`no call ${params.callSid} for turn ${turn}`);
    if (turn < call.turn) return replay(trx, call, turn);
    if (turn > call.turn) throw new CallNotFoundError(`call ${params.callSid} is at turn ${call.turn}, not ${turn}`);
    const script = deps.scripts.byId(call.script_id);
    if (!script) throw new Error(`voice script "${call.script_id}" of call ${call.call_sid} is no longer loaded`);
    const state = JSON.parse(call.state) as CallState;
    // The last answer hung up; Twilio has nothing more to send for this call.
    if (state.step.name === 'ended') throw new CallEndedError(`call ${call.call_sid} has already ended`);
    const digits = params.digits ?? '';
    const input: Input = digits === '' ? { kind: 'silence' } : { kind: 'keys', digits };
    return record(deps, trx, call, script, advance(script, state, input), isoTimestamp(deps.clock.now()));
  });
}

async function replay(trx: Kysely<Database>, call: Call, turn: number): Promise<Answer> {
  const twiml = await findTurnResponse(trx, call.call_sid, turn);
  if (twiml === undefined) throw new CallNotFoundError(`call ${call.call_sid} has no answer for turn ${turn}`);
  return { twiml, replayed: true, events: [], call };
}

/** What a turn changes in its call's row. */
function afterTurn(call: Call, turn: Turn, now: string) {
  return {
    state: JSON.stringify(turn.state),
    turn: call.turn + 1,
    language: turn.state.language,
    outcome: turn.state.outcome ?? call.outcome,
    designated_number: turn.state.designated?.number ?? null,
    number_source: turn.state.designated?.source ?? null,
    updated_at: now,
  } satisfies Partial<Call>;
}

/**
 * Writes everything one turn of the flow decided; the caller hears it only after the commit. `stored` is the call's
 * row when it was inserted already past this turn (a new call); otherwise the row is updated here.
 */
async function record(
  deps: CallServiceDeps,
  trx: Kysely<Database>,
  call: Call,
  script: VoiceScript,
  turn: Turn,
  now: string,
  stored?: Call,
): Promise<Answer> {
  // Decisions are made in the language the call is in after this turn: the one chosen at the menu, if any.
  const lang = script.languages.find((l) => l.language === turn.state.language) as VoiceScript['languages'][number];
  const twiml = renderTurn(turn, actionFor(call.turn + 1));

  await keepStatements(
    trx,
    turn.say.map((p) => ({
      sha256: p.sha256,
      text: p.text,
      script_id: script.id,
      script_version: script.version,
      language: p.language,
      voice: p.voice,
      prompt_id: p.id,
      first_used_at: now,
    })),
  );
  await addSteps(trx, transcript(call, turn, now));
  // Read once, for the check and for the decisions' transcript digest: the call's row and steps as they are now.
  const read =
    turn.decisions.length > 0 ? { call: stored ?? call, steps: await stepsForCall(trx, call.call_sid) } : undefined;
  if (read) checkStatementsWerePlayed(call.call_sid, turn, read.steps);
  const events = await appendEvents(
    trx,
    turn.decisions.map((d) =>
      newIvrEvent({
        call_sid: call.call_sid,
        account_sid: call.account_sid,
        called_number: call.to_number,
        phone_number: d.phoneNumber,
        number_source: d.numberSource,
        business: script.business,
        category: d.category,
        decision: d.decision,
        digits: d.digits,
        prompt_id: d.prompt,
        attempt: d.attempt,
        script_id: script.id,
        script_version: script.version,
        language: lang.language,
        voice: lang.voice,
        statement_sha256: d.statementSha256,
        signature_verified: 1,
      }),
    ),
    { recordedAt: now, newId: () => deps.ids.uuid(), ...(read ? { read } : {}) },
  );
  if (!stored) await updateCall(trx, call.call_sid, afterTurn(call, turn, now));
  await saveTurnResponse(trx, { call_sid: call.call_sid, turn: call.turn, response: twiml, created_at: now });
  return { twiml, replayed: false, events, call };
}

function transcript(call: Call, turn: Turn, at: string): NewCallStep[] {
  const base = { call_sid: call.call_sid, turn: call.turn, at, detail: null };
  const steps: NewCallStep[] = [];
  if (turn.heard) {
    steps.push({
      ...base,
      kind: turn.heard.digits === null ? 'silence' : 'key',
      prompt_id: turn.heard.prompt,
      statement_sha256: null,
      digits: turn.heard.digits,
    });
  }
  if (turn.chosenLanguage) {
    steps.push({
      ...base,
      kind: 'language',
      prompt_id: null,
      statement_sha256: null,
      digits: null,
      detail: turn.chosenLanguage,
    });
  }
  for (const prompt of turn.say) {
    steps.push({ ...base, kind: 'prompt', prompt_id: prompt.id, statement_sha256: prompt.sha256, digits: null });
  }
  if (turn.transferTo) {
    steps.push({
      ...base,
      kind: 'transfer',
      prompt_id: null,
      statement_sha256: null,
      digits: null,
      detail: turn.transferTo,
    });
  }
  return steps;
}

/**
 * A decision is evidence only if the caller heard the question it answers: refuse to record one whose
 * statement this call never played (a script changed mid-call, or a bug).
 */
function checkStatementsWerePlayed(callSid: string, turn: Turn, steps: CallStep[]): void {
  const played = new Set(steps.map((s) => s.statement_sha256));
  for (const d of turn.decisions) {
    if (!played.has(d.statementSha256)) {
      throw new Error(`call ${callSid}: ${d.prompt} ${d.statementSha256.slice(0, 12)}… was never played to the caller`);
    }
  }
}

/** An 8-digit number derived from the CallSid: short enough to read out, and found again from the call. */
export function referenceFor(callSid: string): string {
  const n = Number.parseInt(sha256Hex(callSid).slice(0, 12), 16) % 100_000_000;
  return String(n).padStart(8, '0');
}

const FINAL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'canceled', 'failed']);

export interface StatusResult {
  result: 'applied' | 'stale' | 'unknown';
  /** The call's outcome when this callback is the one that ended it; null otherwise. */
  endedWith: CallOutcome | null;
}

/** `POST /voice/status`: Twilio's word that the call has ended; a call that ended before a decision is abandoned. */
export function recordStatus(deps: CallServiceDeps, params: StatusParams): Promise<StatusResult> {
  return deps.write(async (trx): Promise<StatusResult> => {
    const call = await findCall(trx, params.callSid);
    if (!call) return { result: 'unknown', endedWith: null };
    // Callbacks can arrive out of order; the higher SequenceNumber is the later one.
    if (
      params.sequenceNumber !== null &&
      call.status_sequence !== null &&
      params.sequenceNumber <= call.status_sequence
    ) {
      return { result: 'stale', endedWith: null };
    }
    const now = isoTimestamp(deps.clock.now());
    const final = FINAL_STATUSES.has(params.callStatus);
    await updateCall(trx, call.call_sid, {
      call_status: params.callStatus,
      status_sequence: params.sequenceNumber ?? call.status_sequence,
      duration_seconds: params.duration ?? call.duration_seconds,
      updated_at: now,
      ...(final ? { ended_at: call.ended_at ?? now, outcome: call.outcome ?? 'abandoned' } : {}),
    });
    await addSteps(trx, [
      {
        call_sid: call.call_sid,
        turn: call.turn,
        at: now,
        kind: 'status',
        prompt_id: null,
        statement_sha256: null,
        digits: null,
        detail: params.callStatus,
      },
    ]);
    const endedNow = final && call.ended_at === null;
    return { result: 'applied', endedWith: endedNow ? (call.outcome ?? 'abandoned') : null };
  });
}
