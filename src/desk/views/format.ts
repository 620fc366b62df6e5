import type { Decision } from '../../ledger-vocabulary.js';

/** `2026-11-25T10:00:03.123Z` as `2026-11-25 10:00:03 UTC`: the ledger's time, to the second. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** To the millisecond, for the keys of a transcript. */
export function exactTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export const DECISION_LABELS = { opt_in: 'Opt-in', declined: 'Declined', opt_out: 'Opt-out' } as const satisfies Record<
  Decision,
  string
>;

export const OUTCOME_LABELS: Record<string, string> = {
  opted_in: 'Opted in',
  declined: 'Declined',
  opted_out: 'Opted out',
  no_decision: 'No decision',
  abandoned: 'Abandoned',
};
