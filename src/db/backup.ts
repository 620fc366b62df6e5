import { existsSync } from 'node:fs';
import type { ChainCheck } from './chain.js';
import { verifyLedger } from './ledger.js';
import { openStore, type Store, StoreError } from './store.js';

/**
 * Copies the live database to `file` with SQLite's online backup (writers keep writing meanwhile), then opens
 * the copy and walks its chain, so a backup that would not restore is known at once.
 */
export async function backupStore(store: Store, file: string): Promise<ChainCheck> {
  if (existsSync(file)) throw new StoreError(`backup file "${file}" already exists: choose a new name`);
  await store.sqlite.backup(file);
  const copy = openStore(file);
  try {
    // One self-contained file, without -wal/-shm companions, so it can be moved or archived as it is.
    copy.sqlite.pragma('journal_mode = DELETE');
    return await verifyLedger(copy.db);
  } finally {
    await copy.close();
  }
}
