import type { StoreCheck } from './verify-store.js';

/**
 * The last verification of the whole store, as answers report it: `status`, `show`, the API and `/healthz` say
 * when the ledger is not verified instead of answering as if all were well.
 */
export interface LedgerVerification {
  verified: boolean;
  /** When the check finished (ISO, UTC); null before the first check has finished. */
  checked_at: string | null;
  /** Events verified, from the first. */
  events: number;
  head: string | null;
  /** What failed, in one line; null when verified (or not checked yet). */
  problem: string | null;
}

export const NOT_YET_VERIFIED: LedgerVerification = Object.freeze({
  verified: false,
  checked_at: null,
  events: 0,
  head: null,
  problem: 'the ledger has not been verified yet',
});

export function fromStoreCheck(check: StoreCheck, checkedAt: string): LedgerVerification {
  return check.ok
    ? { verified: true, checked_at: checkedAt, events: check.count, head: check.head, problem: null }
    : { verified: false, checked_at: checkedAt, events: check.count, head: null, problem: check.problem };
}

/** The one-line warning a CLI answer carries when the ledger is not verified. */
export function notVerifiedWarning(v: LedgerVerification): string {
  return `the ledger is NOT verified, so this answer may be wrong: ${v.problem ?? 'unknown problem'}`;
}
