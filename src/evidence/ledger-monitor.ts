import type { Kysely } from 'kysely';
import { type Clock, isoTimestamp } from '../clock.js';
import { checkChain } from '../db/chain.js';
import { eventAt, eventChecker, readEvents } from '../db/ledger.js';
import type { ConsentEvent, Database } from '../db/schema.js';
import { schemaDifferences } from '../db/store-checks.js';
import type { Logger } from '../logger.js';
import { fromStoreCheck, type LedgerVerification, NOT_YET_VERIFIED } from './ledger-verification.js';
import { verifyStore } from './verify-store.js';

/** The server's running verification of its ledger; `last` is what answers and health checks report. */
export interface LedgerMonitor {
  readonly last: LedgerVerification;
  /** Verifies the whole store (chain, transcripts, integrity, schema). */
  checkAll(): Promise<LedgerVerification>;
  /** Verifies the schema, that the head verified last is still there unchanged, and the events added since. */
  checkNew(): Promise<LedgerVerification>;
  /** A full check now, then `checkNew` every `everySeconds`. */
  start(everySeconds: number): void;
  stop(): void;
}

export function createLedgerMonitor(deps: {
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  /** Told every result, e.g. the metrics that alert on a failed verification. */
  onResult?: (result: LedgerVerification) => void;
}): LedgerMonitor {
  let last: LedgerVerification = NOT_YET_VERIFIED;
  let verifiedSeq = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<LedgerVerification> | undefined;

  const record = (result: LedgerVerification): LedgerVerification => {
    if (!result.verified) deps.logger.error({ problem: result.problem }, 'ledger verification failed');
    else if (!last.verified && last.checked_at !== null)
      deps.logger.info({ events: result.events }, 'ledger verified again');
    last = result;
    deps.onResult?.(result);
    return result;
  };
  const now = () => isoTimestamp(deps.clock.now());

  async function checkAll(): Promise<LedgerVerification> {
    const result = fromStoreCheck(await verifyStore(deps.db), now());
    verifiedSeq = result.verified ? result.events : 0;
    return record(result);
  }

  async function checkNew(): Promise<LedgerVerification> {
    if (!last.verified || last.head === null) return checkAll();
    const fail = (problem: string) =>
      record({ verified: false, checked_at: now(), events: verifiedSeq, head: null, problem });
    const changed = await schemaDifferences(deps.db);
    if (changed.length > 0) return fail(`the schema is not what the migrations made: ${changed.join('; ')}`);
    const head = last.head;
    if (verifiedSeq > 0) {
      const still = await eventAt(deps.db, verifiedSeq);
      if (still?.hash !== head) {
        return fail(
          still === undefined
            ? `event seq ${verifiedSeq}, verified before, is gone: the tail of the ledger was deleted`
            : `event seq ${verifiedSeq} no longer has the hash verified before (${head}): history was rewritten`,
        );
      }
    }
    async function* added(): AsyncGenerator<ConsentEvent> {
      yield* readEvents(deps.db, 1000, { after: verifiedSeq });
    }
    const chain = await checkChain(added(), { from: 'first-event', checkEvent: eventChecker(deps.db) });
    if (!chain.ok) return fail(`ledger broken at seq ${chain.seq}: ${chain.problem}`);
    if (chain.count > 0) {
      // checkChain takes the first new event's link as given: it must be to the head verified before.
      const first = await eventAt(deps.db, verifiedSeq + 1);
      if (first?.prev_hash !== head) {
        return fail(`ledger broken at seq ${verifiedSeq + 1}: prev_hash does not link to the verified head ${head}`);
      }
    }
    verifiedSeq += chain.count;
    return record({
      verified: true,
      checked_at: now(),
      events: verifiedSeq,
      head: chain.count > 0 ? chain.head : head,
      problem: null,
    });
  }

  // One check at a time: a slow pass must not be overtaken by the next tick.
  const once = (fn: () => Promise<LedgerVerification>) => {
    running ??= fn()
      .catch((err: unknown) => fail(`verification could not run: ${(err as Error).message}`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const fail = (problem: string) => record({ verified: false, checked_at: now(), events: 0, head: null, problem });

  return {
    get last() {
      return last;
    },
    checkAll: () => once(checkAll),
    checkNew: () => once(checkNew),
    start(everySeconds: number) {
      void once(checkAll);
      timer = setInterval(() => void once(checkNew), everySeconds * 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
