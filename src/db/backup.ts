import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ChainCheck } from './chain.js';
import { verifyLedger } from './ledger.js';
import { openStore, type Store, StoreError } from './store.js';

/**
 * Copies the live database to `file` with SQLite's online backup (writers keep writing meanwhile), then opens
 * the copy and walks its chain, so a backup that would not restore is known at once.
 */
export async function backupStore(store: Store, file: string): Promise<ChainCheck> {
  if (store.kind === 'postgres') throw new StoreError(postgresBackupAdvice(store.location));
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

/** Why `backup` does not copy a PostgreSQL ledger, and what to use instead. */
export function postgresBackupAdvice(location: string): string {
  return `${location} is PostgreSQL: back it up with PostgreSQL's own tools, pg_dump for a consistent copy and continuous WAL archiving for point-in-time recovery (PITR); see docs/postgresql.md`;
}

/** Whether `file` is the database at `database` or one of its -wal/-shm/-journal companions, through any link. */
export function isDatabaseFile(file: string, database: string): boolean {
  const target = realPath(file);
  return ['', '-wal', '-shm', '-journal'].some((suffix) => realPath(`${database}${suffix}`) === target);
}

/** The file's real path, following links: of the file where it exists, else of its folder. */
function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    try {
      return join(realpathSync(dirname(file)), basename(file));
    } catch {
      return resolve(file);
    }
  }
}
