import type { Kysely } from 'kysely';
import type { Database, IdempotencyKeysTable } from './schema.js';

export function findIdempotentAnswer(db: Kysely<Database>, key: string): Promise<IdempotencyKeysTable | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Call it in the transaction that made the change, so the change and its remembered answer commit together. */
export async function saveIdempotentAnswer(db: Kysely<Database>, row: IdempotencyKeysTable): Promise<void> {
  await db.insertInto('idempotency_keys').values(row).execute();
}
