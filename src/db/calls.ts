import type { Kysely } from 'kysely';
import type { Call, CallStep, Database, NewCall, NewCallStep, StatementsTable } from './schema.js';

export function findCall(db: Kysely<Database>, callSid: string): Promise<Call | undefined> {
  return db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

/** Inserts the call unless one with its CallSid exists (a retried webhook); true when it was inserted. */
export async function insertNewCall(db: Kysely<Database>, call: NewCall): Promise<boolean> {
  const row = await db
    .insertInto('calls')
    .values(call)
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returning('call_sid')
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateCall(
  db: Kysely<Database>,
  callSid: string,
  patch: Partial<Omit<Call, 'call_sid'>>,
): Promise<void> {
  await db.updateTable('calls').set(patch).where('call_sid', '=', callSid).execute();
}

export async function addSteps(db: Kysely<Database>, steps: NewCallStep[]): Promise<void> {
  if (steps.length > 0) await db.insertInto('call_steps').values(steps).execute();
}

export function stepsForCall(db: Kysely<Database>, callSid: string): Promise<CallStep[]> {
  return db.selectFrom('call_steps').selectAll().where('call_sid', '=', callSid).orderBy('id').execute();
}

/** Which of `hashes` this call has played to the caller. */
export async function playedStatements(db: Kysely<Database>, callSid: string, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('call_steps')
    .select('statement_sha256')
    .distinct()
    .where('call_sid', '=', callSid)
    .where('statement_sha256', 'in', hashes)
    .execute();
  return new Set(rows.map((r) => r.statement_sha256 as string));
}

/** The answer already given to a turn, if any: what a repeated webhook must get again. */
export async function findTurnResponse(
  db: Kysely<Database>,
  callSid: string,
  turn: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('call_turns')
    .select('response')
    .where('call_sid', '=', callSid)
    .where('turn', '=', turn)
    .executeTakeFirst();
  return row?.response;
}

export async function saveTurnResponse(
  db: Kysely<Database>,
  row: { call_sid: string; turn: number; response: string; created_at: string },
): Promise<void> {
  await db.insertInto('call_turns').values(row).execute();
}

/** Keeps the exact text of each prompt once; a text already kept is left as it was first recorded. */
export async function keepStatements(db: Kysely<Database>, rows: StatementsTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('statements')
    .values(rows)
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

export function statementsByHash(db: Kysely<Database>, hashes: string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db.selectFrom('statements').selectAll().where('sha256', 'in', hashes).execute();
}
