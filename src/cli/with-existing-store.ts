import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Store } from '../db/store.js';
import { UsageError } from './errors.js';
import { withStore } from './with-store.js';

/** Like `withStore`, for commands that read the ledger: a mistyped DATABASE_URL is an error, not a new empty file. */
export function withExistingStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const url = config.databaseUrl;
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  if (file !== ':memory:' && !existsSync(file)) {
    throw new UsageError(`no database at "${file}": set DATABASE_URL to the ledger's file`);
  }
  return withStore(config, fn);
}
