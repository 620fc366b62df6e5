import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';

/**
 * The engines a storage suite runs on: `describe.each(ENGINES)`. PostgreSQL is not optional: when it does not
 * answer, every PostgreSQL case fails with a sentence saying so (CI starts it, `.ci/run`), never a skip.
 */
const ALL_ENGINES = ['sqlite', 'postgres'] as const;
export type Engine = (typeof ALL_ENGINES)[number];

/**
 * Mutation runs (vitest.stryker*.config.ts) judge the mutated code on SQLite alone, `OPTIN_TEST_ENGINES=sqlite`:
 * they run every file in one module graph, where a database per file cannot be told when its file ends, and the
 * code they mutate is the same on both engines. `npm test` sets nothing and runs both.
 */
export const ENGINES: readonly Engine[] = chosenEngines(process.env.OPTIN_TEST_ENGINES);

function chosenEngines(list: string | undefined): readonly Engine[] {
  if (list === undefined) return ALL_ENGINES;
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ALL_ENGINES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`OPTIN_TEST_ENGINES="${list}": name one or more of ${ALL_ENGINES.join(', ')}`);
  }
  return names as Engine[];
}

/** The server the PostgreSQL cases use; a database of their own is created on it for each test file and run. */
export const POSTGRES_ADMIN_URL = process.env.OPTIN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let fileDatabase: Promise<string> | undefined;
let schemas = 0;

async function adminQuery(database: string | undefined, text: string): Promise<void> {
  const url = new URL(POSTGRES_ADMIN_URL);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL did not answer at ${POSTGRES_ADMIN_URL} (${(err as Error).message}): the suites run on both engines; start it (.ci/run does) or set OPTIN_TEST_POSTGRES_URL`,
    );
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** This test file's own database (`optin_test_<random>`), created on first use and dropped after the file. */
function testDatabase(): Promise<string> {
  fileDatabase ??= (async () => {
    const name = `optin_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(undefined, `create database ${name}`);
    return name;
  })();
  return fileDatabase;
}

afterAll(async () => {
  if (!fileDatabase) return;
  const name = await fileDatabase.catch(() => undefined);
  if (name) await adminQuery(undefined, `drop database if exists ${name} with (force)`);
});

export interface TestDatabase {
  /** What `DATABASE_URL` is set to: a SQLite file in a temp dir, or a PostgreSQL URL. */
  url: string;
  /** Removes the file's folder, or the PostgreSQL schema, with everything in it. */
  remove(): Promise<void>;
}

/**
 * An empty database on `engine`. PostgreSQL: a fresh schema in this file's database, selected by the URL's
 * `search_path`, so every store of a file is as empty as a new SQLite file and child processes given the URL
 * see the same tables.
 */
export async function testDatabaseUrl(engine: Engine, dir?: string): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const folder = dir ?? mkdtempSync(join(tmpdir(), 'optin-db-'));
    return {
      url: join(folder, 'optin.db'),
      remove: async () => {
        if (!dir) rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const database = await testDatabase();
  const schema = `s${process.pid}_${++schemas}`;
  await adminQuery(database, `create schema ${schema}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    remove: async () => {
      await adminQuery(database, `drop schema if exists ${schema} cascade`);
    },
  };
}
