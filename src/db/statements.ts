import type { Kysely } from 'kysely';
import { compiledQuery, rowsShape, slotRows } from './compiled-query.js';
import type { Database, StatementsTable } from './schema.js';

// Built and compiled once per row count (compiled-query.ts): every turn of every call keeps its prompts.
const statementRows = compiledQuery((db: Kysely<Database>, _$: { rows: StatementsTable[] }, shape: string) => {
  const [n, columns] = shape.split(':') as [string, string];
  return db
    .insertInto('statements')
    .values(slotRows<StatementsTable>(Number(n), columns.split(',')))
    .onConflict((oc) => oc.column('sha256').doNothing());
});

/** Keeps the exact text of each prompt once; a text already kept is left as it was first recorded. */
export async function keepStatements(db: Kysely<Database>, rows: StatementsTable[]): Promise<void> {
  if (rows.length === 0) return;
  const shape = rowsShape(rows);
  if (shape) await statementRows.execute(db, { rows }, shape.key);
  else
    await db
      .insertInto('statements')
      .values(rows)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
}

/** The kept statements among `hashes`, in no particular order. */
export function statementsByHash(db: Kysely<Database>, hashes: string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db.selectFrom('statements').selectAll().where('sha256', 'in', hashes).execute();
}

/** The text kept under `sha256`, as first recorded (verification hashes it again). */
export async function statementText(db: Kysely<Database>, sha256: string): Promise<string | undefined> {
  const row = await db.selectFrom('statements').select('text').where('sha256', '=', sha256).executeTakeFirst();
  return row?.text;
}
