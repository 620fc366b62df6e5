import { isoTimestamp, systemClock } from '../clock.js';
import type { Store } from '../db/store.js';
import { fromStoreCheck, type LedgerVerification, notVerifiedWarning } from '../evidence/ledger-verification.js';
import { verifyStore } from '../evidence/verify-store.js';
import type { CliIo } from './io.js';

/**
 * Verifies the whole store before a command answers from it (a lying index or a rewritten row would make the
 * answer wrong). When it fails, the command still answers, says so on stderr and exits 1.
 */
export async function checkLedgerBeforeAnswering(store: Store, io: CliIo): Promise<LedgerVerification> {
  const verification = fromStoreCheck(await verifyStore(store.db), isoTimestamp(systemClock.now()));
  if (!verification.verified) {
    io.stderr.write(`optin-ivr: ${notVerifiedWarning(verification)}\n`);
    io.exitCode = 1;
  }
  return verification;
}
