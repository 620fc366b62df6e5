import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The calls whose spoken reference is `reference`: 8 digits can repeat, so there may be more than one. */
export async function callSidsByReference(db: Kysely<Database>, reference: string): Promise<string[]> {
  const rows = await db
    .selectFrom('calls')
    .select('call_sid')
    .where('reference', '=', reference)
    .orderBy('started_at')
    .execute();
  return rows.map((r) => r.call_sid);
}
