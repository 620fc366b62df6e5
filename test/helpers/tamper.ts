import { sql } from 'kysely';
import type { Store } from '../../src/db/store.js';

/** What someone with write access to the database could do: the same SQL on either engine. */
export async function exec(store: Store, text: string): Promise<void> {
  await sql.raw(text).execute(store.db);
}

/** Drops one of the ledger's guard triggers, as an attacker with the database's owner rights could. */
export async function dropTrigger(store: Store, trigger: string, table: string): Promise<void> {
  await exec(store, store.kind === 'postgres' ? `DROP TRIGGER ${trigger} ON ${table}` : `DROP TRIGGER ${trigger}`);
}
