import { statSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { workerAnswer, workerBuilt } from '../worker-thread.js';
import { APPEND_ONLY_TABLES, engineOf } from './dialect.js';
import { databaseFileOf } from './event-scan.js';
import type { Database } from './schema.js';
import { migrate, openStore } from './store.js';

/**
 * SQLite's own check of the file: every index agrees with its table, every page is sound. The hash chain
 * cannot see an index that lies (a lookup that skips an opt-out); this can.
 */
export async function integrityProblems(db: Kysely<Database>, limit = 10): Promise<string[]> {
  // PostgreSQL checks its pages itself (and amcheck, where installed, is the administrator's tool).
  if (engineOf(db) === 'postgres') return [];
  const file = databaseFileOf(db);
  const lines =
    file !== undefined && workerBuilt(INTEGRITY_WORKER) && statSync(file).size >= WORKER_FROM_BYTES
      ? await integrityInWorker(file, limit)
      : (await sql<{ integrity_check: string }>`pragma integrity_check(${sql.lit(limit)})`.execute(db)).rows.map((r) =>
          String(Object.values(r)[0]),
        );
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

const INTEGRITY_WORKER = new URL('./integrity-worker.js', import.meta.url);
// Below this the check takes less time than starting a worker thread.
const WORKER_FROM_BYTES = 64 * 2 ** 20;

/**
 * The check over a connection of its own in a worker thread: on a large ledger it takes as long as the chain walk,
 * and started first it runs beside it on another core (`verifyStore`), and never blocks a server's event loop.
 */
function integrityInWorker(file: string, limit: number): Promise<string[]> {
  return workerAnswer(INTEGRITY_WORKER, { file, limit }, 'the integrity check');
}

interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

async function schemaObjects(db: Kysely<Database>): Promise<SchemaObject[]> {
  const result = await sql<SchemaObject>`
    select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite\\_%' escape '\\' order by type, name
  `.execute(db);
  return result.rows;
}

/** The schema the migrations make, read from a fresh in-memory database migrated by the same code. */
async function expectedSchema(): Promise<SchemaObject[]> {
  const fresh = openStore(':memory:');
  try {
    await migrate(fresh.db);
    return await schemaObjects(fresh.db);
  } finally {
    await fresh.close();
  }
}

/**
 * How the tables, indexes and triggers of `db` differ from what the migrations made: a dropped append-only
 * trigger, an index rebuilt on other columns, an extra table. Empty when they are exactly the same.
 */
export async function schemaDifferences(db: Kysely<Database>): Promise<string[]> {
  const expected = await expectedSchema();
  if (engineOf(db) === 'postgres') return postgresSchemaDifferences(db, expected);
  const actual = await schemaObjects(db);
  const key = (o: SchemaObject) => `${o.type} ${o.name}`;
  const found = new Map(actual.map((o) => [key(o), o]));
  const wanted = new Map(expected.map((o) => [key(o), o]));
  const problems: string[] = [];
  for (const [k, o] of wanted) {
    const a = found.get(k);
    if (!a) problems.push(`${k} is missing`);
    else if (a.sql !== o.sql || a.tbl_name !== o.tbl_name) problems.push(`${k} has been changed`);
  }
  for (const k of found.keys()) if (!wanted.has(k)) problems.push(`${k} is not one the migrations made`);
  return problems;
}

/**
 * PostgreSQL writes its own definitions, so there the check is by name: every table, index and trigger the
 * migrations made is there (the TRUNCATE triggers too), no trigger is disabled, and nothing else was added.
 */
async function postgresSchemaDifferences(db: Kysely<Database>, sqliteSchema: SchemaObject[]): Promise<string[]> {
  const wanted = new Set(sqliteSchema.map((o) => `${o.type} ${o.name}`));
  for (const table of APPEND_ONLY_TABLES) wanted.add(`trigger ${table}_no_truncate`);
  const result = await sql<{ type: string; name: string; enabled: boolean }>`
    select 'table' as type, c.relname as name, true as enabled from pg_class c
      where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
    union all
    select 'index', c.relname, true from pg_class c join pg_index i on i.indexrelid = c.oid
      where c.relnamespace = current_schema()::regnamespace
        and not exists (select 1 from pg_constraint k where k.conindid = c.oid)
    union all
    select 'trigger', t.tgname, t.tgenabled <> 'D' from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = current_schema()::regnamespace and not t.tgisinternal
  `.execute(db);
  const found = new Map(result.rows.map((o) => [`${o.type} ${o.name}`, o]));
  const problems: string[] = [];
  for (const k of wanted) {
    const o = found.get(k);
    if (!o) problems.push(`${k} is missing`);
    else if (!o.enabled) problems.push(`${k} is disabled`);
  }
  for (const k of found.keys()) if (!wanted.has(k)) problems.push(`${k} is not one the migrations made`);
  return problems;
}
