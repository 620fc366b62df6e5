import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  PostgresAdapter,
  type QueryExecutorProvider,
  type RawBuilder,
  sql,
} from 'kysely';
import { GENESIS_HASH } from './chain.js';

/**
 * Everything that differs between SQLite and PostgreSQL, in one place: the migrations, the store and the few
 * queries that need it ask here. The rest of `db/` is plain Kysely and runs the same on both.
 */
export type EngineKind = 'sqlite' | 'postgres';

/** Which engine a Kysely handle (a database, a transaction or a migration's handle) talks to. */
export function engineOf(db: QueryExecutorProvider): EngineKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * The tables whose rows are evidence: never changed or removed in place. The database refuses it (triggers),
 * and on PostgreSQL the service can also run as a role without those privileges (docs/postgresql.md).
 */
export const APPEND_ONLY_TABLES = ['consent_events', 'statements', 'desk_access_log'] as const;

/** A key of its own for the transaction-scoped advisory lock on a chain head: `pg_advisory_xact_lock(key, chain)`. */
export const CHAIN_LOCK_KEY = 0x6f707469; // "opti"

/** An integer primary key the database numbers itself. */
export function addAutoIncrementId<T extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, never>,
  column: string,
): CreateTableBuilder<T, never> {
  if (engineOf(db) === 'postgres') return table.addColumn(column, 'serial', (c) => c.primaryKey());
  return table.addColumn(column, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

/**
 * Triggers that refuse UPDATE and DELETE on `table` (and TRUNCATE on PostgreSQL, where it bypasses row triggers).
 * The SQLite text is exactly what the first migrations wrote, so `verify-store` finds existing files unchanged.
 */
export async function refuseChanges(db: QueryExecutorProvider, table: string): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql
      .raw(
        `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION '${table} is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation'; END $$`,
      )
      .execute(db);
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
           FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
        )
        .execute(db);
    }
    await sql
      .raw(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`,
      )
      .execute(db);
    return;
  }
  // Two spellings of the same trigger, each exactly as its migration first wrote it.
  const indent = table === 'desk_access_log' ? '             ' : '               ';
  for (const op of ['UPDATE', 'DELETE']) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
${indent}BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${op} is not allowed'); END`,
      )
      .execute(db);
  }
}

/**
 * A new event must extend its chain's head: UPDATE and DELETE triggers do not stop a plain INSERT of a row
 * outside the chain (seq 0, a forged hash), nor SQLite's INSERT OR REPLACE.
 */
export async function guardChainHead(db: QueryExecutorProvider): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql
      .raw(
        `CREATE FUNCTION consent_events_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.seq IS DISTINCT FROM (SELECT coalesce(max(seq), 0) + 1 FROM consent_events)
              OR NEW.prev_hash IS DISTINCT FROM coalesce((SELECT hash FROM consent_events ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}')
           THEN RAISE EXCEPTION 'consent_events is append-only: a new event must follow the chain head'
                USING ERRCODE = 'restrict_violation';
           END IF;
           RETURN NEW;
         END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER consent_events_extend_head BEFORE INSERT ON consent_events
         FOR EACH ROW EXECUTE FUNCTION consent_events_extend_head()`,
      )
      .execute(db);
    // A text once kept is never replaced: a second insert of the same hash is skipped.
    await sql
      .raw(
        `CREATE FUNCTION statements_keep_first() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF EXISTS (SELECT 1 FROM statements WHERE sha256 = NEW.sha256) THEN RETURN NULL; END IF;
           RETURN NEW;
         END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER statements_keep_first BEFORE INSERT ON statements
         FOR EACH ROW EXECUTE FUNCTION statements_keep_first()`,
      )
      .execute(db);
    return;
  }
  await sql
    .raw(
      `CREATE TRIGGER consent_events_extend_head BEFORE INSERT ON consent_events
           WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM consent_events)
             OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM consent_events ORDER BY seq DESC LIMIT 1), '${GENESIS_HASH}')
           BEGIN SELECT RAISE(ABORT, 'consent_events is append-only: a new event must follow the chain head'); END`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER statements_keep_first BEFORE INSERT ON statements
           WHEN EXISTS (SELECT 1 FROM statements WHERE sha256 = NEW.sha256)
           BEGIN SELECT RAISE(IGNORE); END`,
    )
    .execute(db);
}

/** Starts a write transaction. SQLite: `BEGIN IMMEDIATE` takes the file's write lock, the chain head with it. */
export function beginWrite(kind: EngineKind): RawBuilder<unknown> {
  return kind === 'postgres' ? sql`begin` : sql`begin immediate`;
}

/**
 * Holds the chain's head until the transaction ends; call it before reading the head to extend it. PostgreSQL: a
 * transaction-scoped advisory lock on the chain, so any number of servers append to one unbroken chain, while
 * their other writes (a call's state, its steps) go on side by side; COMMIT or ROLLBACK releases it, and so does
 * a lost connection. SQLite: already held since `BEGIN IMMEDIATE`.
 */
export async function lockChain(db: QueryExecutorProvider, chainId: number): Promise<void> {
  if (engineOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(${CHAIN_LOCK_KEY}, ${chainId})`.execute(db);
}

/**
 * `recorded_at` as a filter that does not pick its index: SQLite's `+column` idiom; PostgreSQL's planner weighs
 * the seq walk against the index itself, so there it is the plain column.
 */
export function unindexedRecordedAt(db: QueryExecutorProvider): RawBuilder<string> {
  return engineOf(db) === 'postgres' ? sql<string>`recorded_at` : sql<string>`+recorded_at`;
}

/** The names of the tables in the database (PostgreSQL: in the schema the connection uses). */
export async function tableNames(db: QueryExecutorProvider): Promise<Set<string>> {
  const query =
    engineOf(db) === 'postgres'
      ? sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`
      : sql<{ name: string }>`select name from sqlite_master where type = 'table'`;
  const result = await query.execute(db);
  return new Set(result.rows.map((r) => r.name));
}

/**
 * After rows were copied in with their own ids: the next id the database numbers itself follows the largest.
 * SQLite's AUTOINCREMENT does this by itself.
 */
export async function followCopiedIds(db: QueryExecutorProvider, table: string, column: string): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await sql
    .raw(
      `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), coalesce(max(${column}), 0) + 1, false) FROM ${table}`,
    )
    .execute(db);
}
