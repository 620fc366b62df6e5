import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { databaseFile, engineOfUrl, openStore, type Store, schemaProblem } from '../db/store.js';
import { UsageError } from './errors.js';

/**
 * Opens the ledger for a command that works on existing records. A mistyped DATABASE_URL, a file that is not a
 * ledger or one with an older schema is an error: never a new empty ledger, and never a changed file. Read-only
 * unless the command records something (`write`).
 */
export async function withExistingStore<T>(
  config: Config,
  fn: (store: Store) => Promise<T>,
  options: { write?: boolean } = {},
): Promise<T> {
  if (engineOfUrl(config.databaseUrl) === 'sqlite') {
    const file = databaseFile(config.databaseUrl);
    if (file !== ':memory:' && !existsSync(file)) {
      throw new UsageError(`no database at "${file}": set DATABASE_URL to the ledger's file`);
    }
  }
  const store = openStore(config.databaseUrl, { readonly: !options.write, postgres: config.postgres });
  try {
    const problem = await schemaProblem(store.db, store.location);
    if (problem) throw new UsageError(problem);
    return await fn(store);
  } finally {
    await store.close();
  }
}
