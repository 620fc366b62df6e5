import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { POSTGRES_DEFAULTS, redactUrl } from './database-url.js';
import { beginWrite } from './dialect.js';
import { type CommitInfo, GroupCommitter } from './group-commit.js';
import type { Database } from './schema.js';
import type { Store, StoreOptions } from './store.js';
import { StoreError } from './store-error.js';
import { reportStorageFailure } from './write-observer.js';

/**
 * A PostgreSQL ledger through a connection pool: the same `Store` as SQLite's, so every feature works alike.
 * Group commit shares one transaction among the writes that arrive together; each transaction takes the chain's
 * advisory lock before it reads the head (`lockChain`, in `appendEvents`), so servers on other machines append to
 * the same unbroken chain.
 * A lost connection fails the writes on it and leaves the pool; the next write gets a fresh one.
 */
export function openPostgresStore(url: string, options: StoreOptions): Store {
  const settings = { ...POSTGRES_DEFAULTS, ...options.postgres };
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolSize,
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    application_name: 'optin-ivr',
  });
  const observer = options.observer;
  // A connection that dies (the server restarted, an administrator ended it) emits 'error': unheard, that would
  // end the process. The pool drops it; a query that was running on it fails on its own.
  const lost = (err: Error) => {
    if (observer) reportStorageFailure(observer, err);
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const readonly = options.readonly === true;
  const dialect = new PostgresDialect({
    pool,
    ...(readonly
      ? {
          onCreateConnection: async (connection) => {
            await connection.executeQuery(CompiledQuery.raw('set default_transaction_read_only = on'));
          },
        }
      : {}),
  });
  const db = new Kysely<Database>(
    observer
      ? {
          dialect,
          log: (event) => {
            if (event.level === 'error') reportStorageFailure(observer, event.error);
          },
        }
      : { dialect },
  );
  let inTransaction = false;
  const run = (text: string) => async (conn: Kysely<Database>) => {
    await sql.raw(text).execute(conn);
  };
  const onCommit = (info: CommitInfo) => {
    options.onCommit?.(info);
    observer?.committed({ seconds: info.seconds, batchSize: info.batchSize });
  };
  const committer = new GroupCommitter<Kysely<Database>>(
    {
      withConnection: (work) => db.connection().execute(work),
      begin: async (conn) => {
        inTransaction = true;
        await beginWrite('postgres').execute(conn);
      },
      savepoint: run('savepoint write'),
      release: run('release savepoint write'),
      rollbackToSavepoint: run('rollback to savepoint write'),
      commit: async (conn) => {
        await sql`commit`.execute(conn);
        inTransaction = false;
      },
      rollback: async (conn) => {
        inTransaction = false;
        await sql`rollback`.execute(conn);
      },
      inTransaction: () => inTransaction,
    },
    { maxBatch: options.maxBatch ?? 64, maxWaitMs: options.maxWaitMs ?? 0, onCommit },
  );
  return {
    db,
    kind: 'postgres',
    location,
    get sqlite(): never {
      throw new StoreError(`${location} is PostgreSQL: this needs a SQLite database`);
    },
    write: (fn) => committer.write(fn),
    writeStats: () => committer.stats(),
    close: async () => {
      await committer.drained();
      await db.destroy();
    },
  };
}
