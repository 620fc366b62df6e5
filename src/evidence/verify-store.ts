import type { Kysely } from 'kysely';
import { verifyLedger } from '../db/ledger.js';
import type { Database } from '../db/schema.js';
import { integrityProblems, schemaDifferences } from '../db/store-checks.js';

/** What a whole-store verification found; `problem` names the first thing that failed, in one line. */
export type StoreCheck =
  | { ok: true; count: number; head: string; headFound?: boolean }
  | { ok: false; step: 'chain' | 'integrity' | 'schema'; problem: string; count: number; seq?: number };

/**
 * Verifies the whole store in separate steps, stopping at the first that fails: the hash chain (each event, its
 * statement and its transcript), SQLite's integrity check (indexes that agree with their tables), and the
 * schema (tables, indexes and triggers exactly as the migrations made them).
 */
export async function verifyStore(db: Kysely<Database>, options: { expectHead?: string } = {}): Promise<StoreCheck> {
  // Started first: on a ledger file SQLite's check runs in a worker thread beside the walk along the chain.
  const integrity = integrityProblems(db);
  integrity.catch(() => undefined);
  const chain = await verifyLedger(db, options);
  if (!chain.ok) {
    return {
      ok: false,
      step: 'chain',
      seq: chain.seq,
      count: chain.count,
      problem: `ledger broken at seq ${chain.seq}: ${chain.problem} (${chain.count} events before it verified)`,
    };
  }
  const damaged = await integrity;
  if (damaged.length > 0) {
    return {
      ok: false,
      step: 'integrity',
      count: chain.count,
      problem: `the database file is damaged (SQLite integrity check): ${damaged.join('; ')}`,
    };
  }
  const changed = await schemaDifferences(db);
  if (changed.length > 0) {
    return {
      ok: false,
      step: 'schema',
      count: chain.count,
      problem: `the schema is not what the migrations made: ${changed.join('; ')}`,
    };
  }
  return {
    ok: true,
    count: chain.count,
    head: chain.head,
    ...(chain.headFound === undefined ? {} : { headFound: chain.headFound }),
  };
}
