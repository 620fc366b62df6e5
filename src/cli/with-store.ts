import type { Config } from '../config.js';
import { migrate, openStore, type Store } from '../db/store.js';

/** Opens the configured database for one command and always closes it, whatever the command does. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl);
  try {
    await migrate(store.db);
    return await fn(store);
  } finally {
    await store.close();
  }
}
