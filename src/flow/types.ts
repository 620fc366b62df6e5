import type { Decision, FlowOutcome, NumberSource } from '../ledger-vocabulary.js';
import type { PromptId } from '../scripts/schema.js';

/** What the caller is doing once the consent key is pressed: giving consent, or withdrawing it. */
export type Intent = 'agree' | 'stop';

export type Step =
  | { name: 'language' }
  | { name: 'menu' }
  | { name: 'confirm_caller_id'; intent: Intent }
  | { name: 'enter_number'; intent: Intent }
  | { name: 'confirm_keyed'; intent: Intent; number: string }
  | { name: 'category'; index: number }
  | { name: 'ended' };

/** The key that expressed a decision, kept until the number it is for has been confirmed. */
export interface ConsentKey {
  digits: string;
  prompt: PromptId;
  attempt: number;
  statementSha256: string;
}

/** Everything the flow needs to remember between two webhooks; stored as JSON on the call row. */
export interface CallState {
  step: Step;
  /** Unanswered or wrong answers at the current step. */
  attempts: number;
  language: string;
  /** The caller ID when it is a usable mobile number (E.164). */
  callerId: string | null;
  /** The caller ID as E.164 when it is any valid number, for a refusal given before a number was asked. */
  callerNumber: string | null;
  reference: string;
  designated: { number: string; source: Exclude<NumberSource, 'caller_id_unconfirmed'> } | null;
  consentKey: ConsentKey | null;
  agreed: string[];
  outcome: FlowOutcome | null;
}

export type Input = { kind: 'start' } | { kind: 'keys'; digits: string } | { kind: 'silence' };

export interface Prompt {
  id: PromptId;
  text: string;
  sha256: string;
  /** Each prompt is spoken in its own language and voice: the language menu mixes them. */
  language: string;
  voice: string;
}

export interface Gather {
  /** One key for a menu; a number is finished with `#`. */
  kind: 'choice' | 'number';
  timeout: number;
}

/** A decision to write to the ledger before anything is said about it. */
export interface DecisionToRecord {
  category: string;
  decision: Decision;
  phoneNumber: string | null;
  numberSource: NumberSource | null;
  digits: string;
  prompt: PromptId;
  attempt: number;
  statementSha256: string;
}

/** One webhook's worth of call: what to record, then what to say and whether to listen or hang up. */
export interface Turn {
  state: CallState;
  decisions: DecisionToRecord[];
  /** The key or silence this turn received, for the transcript. */
  heard: { prompt: PromptId; digits: string | null } | null;
  say: Prompt[];
  gather: Gather | null;
  /** The language the caller chose at the language menu in this turn. */
  chosenLanguage?: string;
  /** The number the call is put through to after the prompts (an agent); nothing is recorded. */
  transferTo?: string;
}
