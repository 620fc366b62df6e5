import { sql } from 'kysely';
import type { Store } from './store.js';

/**
 * Commits one tiny write (the time of the check, in a one-row table) through the same write path as a call,
 * so readiness knows whether a write reaches the disk now rather than guessing from a `select 1`.
 */
export async function probeWrite(write: Store['write'], at: string): Promise<void> {
  await write(async (trx) => {
    await sql`insert into write_probe (id, checked_at) values (1, ${at})
              on conflict (id) do update set checked_at = excluded.checked_at`.execute(trx);
  });
}
