import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, SqliteDialect, sql } from 'kysely';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';
import { observeWrites, type WriteObserver } from './write-observer.js';

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

/** The file a `DATABASE_URL` names (a path, `file://` URL or `:memory:`). */
export function databaseFile(url: string): string {
  if (/^[a-z]+:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new StoreError(`unsupported DATABASE_URL "${url}": use a SQLite file path such as data/optin.db`);
  }
  return url.startsWith('file://') ? new URL(url).pathname : url;
}

/**
 * Opens the database named by `DATABASE_URL`, creating the file if needed. `readonly` opens an existing file
 * without changing it (no schema, no journal mode), for commands that only read the ledger. `observer` hears
 * of every commit and every storage failure (metrics, readiness).
 */
export function openStore(url: string, options: { readonly?: boolean; observer?: WriteObserver } = {}): Store {
  const file = databaseFile(url);
  const readonly = options.readonly === true && file !== ':memory:';
  if (!readonly && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: 5000, readonly, fileMustExist: readonly });
  if (!readonly) {
    // Consent is evidence: WAL for readers beside the writer, FULL so a confirmed decision survives a power cut.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
  }
  sqlite.pragma('foreign_keys = ON');
  // INSERT OR REPLACE then fires the delete triggers that keep the ledger append-only.
  sqlite.pragma('recursive_triggers = ON');
  const dialect = new SqliteDialect({ database: sqlite });
  const db = new Kysely<Database>(options.observer ? { dialect, log: observeWrites(options.observer) } : { dialect });
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

/** Why this database cannot be used as it is (not a ledger, or an older schema), or undefined when it can. */
export async function schemaProblem(db: Kysely<Database>, location: string): Promise<string | undefined> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
  const names = new Set(tables.rows.map((r) => r.name));
  if (!names.has('consent_events')) return `"${location}" is not an optin-ivr ledger (it has no consent_events table)`;
  const applied = names.has('kysely_migration')
    ? (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map((r) => r.name)
    : [];
  const pending = Object.keys(migrations).filter((name) => !applied.includes(name));
  if (pending.length > 0) return `"${location}" needs ${pending.length} migration(s): run \`optin-ivr migrate\` first`;
  return undefined;
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
