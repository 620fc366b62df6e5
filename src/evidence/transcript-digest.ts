import { createHash, type Hash } from 'node:crypto';
import type { Call, CallStep } from '../db/schema.js';

/** The parts of a call fixed when it is answered: later webhooks change its state and outcome, never these. */
export const DIGESTED_CALL_FIELDS = [
  'account_sid',
  'call_sid',
  'direction',
  'language',
  'reference',
  'script_id',
  'script_version',
  'started_at',
  'to_number',
] as const satisfies readonly (keyof Call)[];

/** Every column of a step but its row id, which only orders the steps. */
export const DIGESTED_STEP_FIELDS = [
  'at',
  'detail',
  'digits',
  'kind',
  'prompt_id',
  'statement_sha256',
  'turn',
] as const satisfies readonly (keyof CallStep)[];

export type DigestedCall = Pick<Call, (typeof DIGESTED_CALL_FIELDS)[number]>;
export type DigestedStep = Pick<CallStep, (typeof DIGESTED_STEP_FIELDS)[number]>;

function line(source: object, keys: readonly string[]): string {
  const record = source as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of keys) sorted[key] = record[key] ?? null;
  return `${JSON.stringify(sorted)}\n`;
}

export function digestedCall(call: DigestedCall): DigestedCall {
  return JSON.parse(line(call, DIGESTED_CALL_FIELDS)) as DigestedCall;
}

export function digestedStep(step: DigestedStep): DigestedStep {
  return JSON.parse(line(step, DIGESTED_STEP_FIELDS)) as DigestedStep;
}

/**
 * The digest of a call's transcript up to and including `steps[through]`: SHA-256 over one sorted-key JSON line
 * for the call, then one per step in order. The caller's own number (`from_number`) is left out: when the
 * consent is for a number keyed in, the calling line may be someone else's, and a proof must not carry it.
 */
export function transcriptDigest(call: DigestedCall, steps: readonly DigestedStep[], through: number): string {
  const hash = createHash('sha256').update(line(call, DIGESTED_CALL_FIELDS), 'utf8');
  for (let i = 0; i <= through && i < steps.length; i += 1) {
    hash.update(line(steps[i] as DigestedStep, DIGESTED_STEP_FIELDS), 'utf8');
  }
  return hash.digest('hex');
}

/** The index of the key that decided: the last key heard so far (a decision is always made by a key). */
export function lastKeyIndex(steps: readonly DigestedStep[]): number {
  for (let i = steps.length - 1; i >= 0; i -= 1) if (steps[i]?.kind === 'key') return i;
  return -1;
}

/**
 * Where the transcript that `digest` covers ends, or -1 when no prefix ending at a key matches: a later check
 * cannot know which key decided, so it tries each (one pass, the running hash copied at each key).
 */
export function findDigestedPrefix(call: DigestedCall, steps: readonly DigestedStep[], digest: string): number {
  const hash: Hash = createHash('sha256').update(line(call, DIGESTED_CALL_FIELDS), 'utf8');
  for (let i = 0; i < steps.length; i += 1) {
    const step = steps[i] as DigestedStep;
    hash.update(line(step, DIGESTED_STEP_FIELDS), 'utf8');
    if (step.kind === 'key' && hash.copy().digest('hex') === digest) return i;
  }
  return -1;
}
