import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';
import { writeTransaction } from './store.js';

/**
 * Commits one tiny write (the time of the check, in a one-row table) through the same write path as a call,
 * so readiness knows whether a write reaches the disk now rather than guessing from a `select 1`.
 */
export async function probeWrite(db: Kysely<Database>, at: string): Promise<void> {
  await writeTransaction(db, async (trx) => {
    await sql`insert into write_probe (id, checked_at) values (1, ${at})
              on conflict (id) do update set checked_at = excluded.checked_at`.execute(trx);
  });
}
