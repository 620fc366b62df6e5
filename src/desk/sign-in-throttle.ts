import type { FailureCount } from '../db/sign-in-failures.js';

/** Failures allowed before each further attempt has to wait. */
const FREE_FAILURES = 5;
const MAX_WAIT_SECONDS = 300;
/** An hour without a failure forgets the count. */
export const FORGET_AFTER_MS = 60 * 60 * 1000;

/** The keys a sign-in attempt is counted under: the name tried, and where it came from. */
export function throttleKeys(userName: string, address: string): string[] {
  return [`user:${userName.toLowerCase()}`, `address:${address}`];
}

/**
 * Seconds to wait before the next attempt may be checked: nothing for the first few failures, then doubling
 * (1, 2, 4 … seconds) up to five minutes, per user name and per address, whichever is longer.
 */
export function secondsToWait(counts: readonly FailureCount[], now: Date): number {
  let wait = 0;
  for (const c of counts) {
    const last = Date.parse(c.last_failure_at);
    if (now.getTime() - last >= FORGET_AFTER_MS || c.failures < FREE_FAILURES) continue;
    const delay = Math.min(2 ** (c.failures - FREE_FAILURES), MAX_WAIT_SECONDS) * 1000;
    wait = Math.max(wait, Math.ceil((last + delay - now.getTime()) / 1000));
  }
  return wait;
}
