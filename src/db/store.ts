import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationResultSet, Migrator, SqliteDialect, sql } from 'kysely';
import { isPostgresUrl, type PostgresOptions, redactUrl } from './database-url.js';
import { beginWrite, type EngineKind, engineOf, tableNames } from './dialect.js';
import { registerConnection } from './event-scan.js';
import { type CommitInfo, GroupCommitter } from './group-commit.js';
import { migrations } from './migrations.js';
import { openPostgresStore } from './postgres-store.js';

export { redactUrl };

import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { StoreError } from './store-error.js';
import { type CheckpointerOptions, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import { observeWrites, reportStorageFailure, type WriteObserver } from './write-observer.js';

/** An open ledger database. Repository functions take `db` (or a transaction's handle) as their first argument. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: EngineKind;
  /** Where the data lives, for messages (`:memory:`, a file path, or a PostgreSQL URL without its password). */
  readonly location: string;
  /**
   * The underlying SQLite connection, for the few things Kysely does not wrap (online backup). A PostgreSQL
   * store throws here: code that needs it is SQLite-only and says so.
   */
  readonly sqlite: SQLite.Database;
  /**
   * Runs `fn` in a durable write transaction, possibly shared with other writes that arrived meanwhile (group
   * commit); resolves only once it is committed. `fn` may run twice (alone, after its shared transaction failed),
   * so it does its work through `trx` and nothing else.
   */
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Writes committed and transactions used so far, and the WAL's size at the background checkpointer's last look. */
  writeStats(): { writes: number; commits: number; walBytes?: number };
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Open an existing file without changing it (no schema, no journal mode), for commands that only read. */
  readonly?: boolean;
  /** Told the size and duration of every shared transaction (metrics). */
  onCommit?: (info: CommitInfo) => void;
  /** Hears of every commit and every storage failure (metrics, readiness). */
  observer?: WriteObserver;
  /** At most this many writes share a transaction (default 64). */
  maxBatch?: number;
  /** How long a write may wait for others before its transaction begins (default 0: the current event-loop turn). */
  maxWaitMs?: number;
  /**
   * Checkpoint the WAL from a background thread instead of in whichever commit crosses SQLite's threshold: for
   * servers, where that commit is a caller waiting. The WAL is truncated when it grows past `maxWalBytes`.
   */
  backgroundCheckpoints?: boolean | Partial<CheckpointerOptions>;
  /** PostgreSQL only: the pool and its time limits (`DATABASE_POOL_SIZE` and the other `DATABASE_*` settings). */
  postgres?: Partial<PostgresOptions>;
}

const CHECKPOINTS: CheckpointerOptions = { intervalMs: 1000, maxWalBytes: 64 * 2 ** 20, restartWalBytes: 4 * 2 ** 20 };

export { StoreError } from './store-error.js';

/** Which engine a `DATABASE_URL` selects: `postgres://` or `postgresql://` is PostgreSQL, anything else SQLite. */
export function engineOfUrl(url: string): EngineKind {
  return isPostgresUrl(url) ? 'postgres' : 'sqlite';
}

/** The file a SQLite `DATABASE_URL` names (a path, `file://` URL or `:memory:`). */
export function databaseFile(url: string): string {
  if (isPostgresUrl(url)) throw new StoreError(`DATABASE_URL ${redactUrl(url)} is PostgreSQL, not a SQLite file`);
  if (/^[a-z]+:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new StoreError(
      `unsupported DATABASE_URL "${redactUrl(url)}": use a SQLite file path such as data/optin.db or a postgres:// URL`,
    );
  }
  return url.startsWith('file://') ? new URL(url).pathname : url;
}

/**
 * Opens the database named by `DATABASE_URL`: PostgreSQL for a `postgres://` URL (connections are made when
 * first needed), else a SQLite file, created if needed.
 */
export function openStore(url: string, options: StoreOptions = {}): Store {
  if (isPostgresUrl(url)) return openPostgresStore(url, options);
  return openSqliteStore(url, options);
}

function openSqliteStore(url: string, options: StoreOptions): Store {
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
  const connection = withStatementCache(sqlite);
  const dialect = new SqliteDialect({ database: connection });
  // Kysely's log sees the statements inside a write fail (a full disk on an insert); the transaction's own
  // statements below run on the connection directly, so they report their failures themselves.
  const db = new Kysely<Database>(options.observer ? { dialect, log: observeWrites(options.observer) } : { dialect });
  registerConnection(db, sqlite);
  // Each prepared once: every write runs two of them, every batch two more.
  const run = (text: string) => {
    let statement: SQLite.Statement | undefined;
    return async () => {
      try {
        statement ??= sqlite.prepare(text);
        statement.run();
      } catch (err) {
        if (options.observer) reportStorageFailure(options.observer, err);
        throw err;
      }
    };
  };
  const onCommit = (info: CommitInfo) => {
    options.onCommit?.(info);
    options.observer?.committed({ seconds: info.seconds, batchSize: info.batchSize });
  };
  const checkpointer =
    options.backgroundCheckpoints && !readonly && file !== ':memory:'
      ? backgroundCheckpoints(sqlite, file, options.backgroundCheckpoints)
      : undefined;
  const committer = new GroupCommitter<Kysely<Database>>(
    {
      withConnection: (work) => db.connection().execute(work),
      begin: run('begin immediate'),
      savepoint: run('savepoint write'),
      release: run('release write'),
      rollbackToSavepoint: run('rollback to write'),
      commit: run('commit'),
      rollback: run('rollback'),
      inTransaction: () => sqlite.inTransaction,
    },
    {
      maxBatch: options.maxBatch ?? 64,
      maxWaitMs: options.maxWaitMs ?? 0,
      onCommit,
      // Under a steady stream of writes, the background checkpoint never finds the WAL without new frames, so it
      // never starts afresh; a short pause now and then keeps it small (and no truncation stalls a commit).
      betweenBatches: () => (checkpointer?.behind ? checkpointer.catchUp() : undefined),
    },
  );
  return {
    db,
    kind: 'sqlite',
    location: file,
    sqlite,
    write: (fn) => committer.write(fn),
    writeStats: () => {
      const walBytes = checkpointer?.last?.walBytes;
      return { ...committer.stats(), ...(walBytes === undefined ? {} : { walBytes }) };
    },
    close: async () => {
      await committer.drained();
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function backgroundCheckpoints(
  sqlite: SQLite.Database,
  file: string,
  given: true | Partial<CheckpointerOptions>,
): WalCheckpointer {
  const options = { ...CHECKPOINTS, ...(given === true ? {} : given) };
  sqlite.pragma('wal_autocheckpoint = 0');
  // When the WAL is reset after a checkpoint, the file shrinks back to this instead of keeping its peak size.
  sqlite.pragma(`journal_size_limit = ${options.maxWalBytes}`);
  return startWalCheckpointer(file, options, () => {
    // Without the worker, SQLite's own checkpoint on commit keeps the WAL bounded, at a caller's expense.
    sqlite.pragma('wal_autocheckpoint = 1000');
  });
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
 * Runs `fn` as one write transaction. On SQLite it holds the write lock from its first statement (`BEGIN
 * IMMEDIATE`); on PostgreSQL `appendEvents` takes the chain's advisory lock before it reads the head. Either way
 * two processes cannot both read the head and fork the chain.
 */
export async function writeTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await beginWrite(engineOf(conn)).execute(conn);
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
  const names = await tableNames(db);
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
