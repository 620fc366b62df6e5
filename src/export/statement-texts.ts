import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { statementsByHash } from '../db/statements.js';

/** Statement texts by hash, each read once: a ledger answers the same few statements again and again. */
export function statementTexts(db: Kysely<Database>) {
  const known = new Map<string, string | undefined>();
  return async (sha256: string): Promise<string | undefined> => {
    if (!known.has(sha256)) known.set(sha256, (await statementsByHash(db, [sha256]))[0]?.text);
    return known.get(sha256);
  };
}
