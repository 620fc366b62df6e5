import { type Kysely, sql } from 'kysely';
import type { ChainCheck } from './chain.js';
import { LEDGER_CHAIN } from './chain-id.js';
import { followCopiedIds, lockChain } from './dialect.js';
import { verifyLedger } from './ledger.js';
import type { Database } from './schema.js';
import { migrate, type Store, schemaProblem, writeTransaction } from './store.js';
import { StoreError } from './store-error.js';

/**
 * The tables a ledger is made of, in an order their foreign keys allow, with the id the database numbers itself.
 * Desk sessions, sign-in failures and the readiness probe are not records: they start afresh.
 */
export const LEDGER_TABLES: ReadonlyArray<{ table: keyof Database; autoId?: string }> = [
  { table: 'calls' },
  { table: 'call_steps', autoId: 'id' },
  { table: 'call_turns' },
  { table: 'statements' },
  { table: 'consent_events' },
  { table: 'idempotency_keys' },
  { table: 'desk_users' },
  { table: 'desk_access_log', autoId: 'id' },
];

export interface CopyResult {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /** The chain as verified on the target, identical to the source's. */
  chain: Extract<ChainCheck, { ok: true }>;
}

/**
 * Copies a SQLite ledger into an empty database (PostgreSQL, usually), row for row: the hashes are the
 * application's, so they travel unchanged. The source's chain is verified first; the copy is verified inside the
 * target's transaction, which commits only when it has the same count and head. A target that holds any record
 * is refused.
 */
export async function copyLedger(from: Store, to: Store, pageSize = 500): Promise<CopyResult> {
  if (from.kind !== 'sqlite') throw new StoreError(`--from must be a SQLite ledger file, not ${from.location}`);
  const problem = await schemaProblem(from.db, from.location);
  if (problem) throw new StoreError(problem);
  const source = await verifyLedger(from.db);
  if (!source.ok) {
    throw new StoreError(
      `${from.location}: the chain is broken at seq ${source.seq}: ${source.problem}; nothing was copied`,
    );
  }
  await migrate(to.db);
  for (const { table } of LEDGER_TABLES) {
    const row = await to.db.selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (row) throw new StoreError(`${to.location} is not empty (${table} has rows): copy into an empty database`);
  }
  return writeTransaction(to.db, async (trx) => {
    // No server may append to the target's chain while it is being filled.
    await lockChain(trx, LEDGER_CHAIN);
    const rows: Record<string, number> = {};
    for (const { table, autoId } of LEDGER_TABLES) {
      rows[table] = await copyTable(from.db, trx, table, pageSize);
      if (autoId) await followCopiedIds(trx, table, autoId);
    }
    const copied = await verifyLedger(trx);
    if (!copied.ok || copied.count !== source.count || copied.head !== source.head) {
      const found = copied.ok
        ? `${copied.count} events, head ${copied.head}`
        : `broken at seq ${copied.seq}: ${copied.problem}`;
      throw new StoreError(
        `the copy does not verify as the source does (${source.count} events, head ${source.head}): ${found}; nothing was kept`,
      );
    }
    return { rows, chain: copied };
  });
}

/** Copies one table in pages in the order it was written (SQLite's rowid), so memory stays flat. */
async function copyTable(
  from: Kysely<Database>,
  to: Kysely<Database>,
  table: keyof Database,
  pageSize: number,
): Promise<number> {
  let after = Number.MIN_SAFE_INTEGER;
  let count = 0;
  for (;;) {
    const page = await sql<Record<string, unknown> & { copy_rowid: number }>`
      select rowid as copy_rowid, * from ${sql.table(table)} where rowid > ${after} order by rowid limit ${pageSize}
    `.execute(from);
    if (page.rows.length === 0) return count;
    const values = page.rows.map(({ copy_rowid, ...row }) => row);
    await to
      .insertInto(table)
      .values(values as never)
      .execute();
    count += values.length;
    after = (page.rows.at(-1) as { copy_rowid: number }).copy_rowid;
    if (page.rows.length < pageSize) return count;
  }
}
