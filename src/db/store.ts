import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, SqliteDialect, sql } from 'kysely';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';

/** An open ledger database. Repository functions take `db` (or a transaction's handle) as their first argument. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: 'sqlite';
  /** Where the data lives, for messages (`:memory:` or a file path). */
  readonly location: string;
  /** The underlying connection, for the few things Kysely does not wrap (online backup). */
  readonly sqlite: SQLite.Database;
  close(): Promise<void>;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Opens the database named by `DATABASE_URL` (a SQLite file path, or `:memory:`), creating the file if needed. */
export function openStore(url: string): Store {
  if (/^[a-z]+:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new StoreError(`unsupported DATABASE_URL "${url}": use a SQLite file path such as data/optin.db`);
  }
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: 5000 });
  // Consent is evidence: WAL for readers beside the writer, FULL so a confirmed decision survives a power cut.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    kind: 'sqlite',
    location: file,
    sqlite,
    close: () => db.destroy(),
  };
}

/** Brings the schema up to date; safe to run at every start. */
export async function migrate(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(`migration ${failed} failed: ${(result.error as Error).message ?? result.error}`);
  }
  return result;
}

/**
 * Runs `fn` as one write transaction that holds the write lock from its first statement (`BEGIN IMMEDIATE`),
 * so two processes on the same file cannot both read the chain head and fork it.
 */
export async function writeTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
