import type { Kysely } from 'kysely';
import type { Call, CallStep, Database, NewCall, NewCallStep } from './schema.js';

export function findCall(db: Kysely<Database>, callSid: string): Promise<Call | undefined> {
  return db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

/** The calls whose spoken reference is `reference`: 8 digits can repeat, so there may be more than one. */
export async function callSidsByReference(db: Kysely<Database>, reference: string): Promise<string[]> {
  const rows = await db
    .selectFrom('calls')
    .select('call_sid')
    .where('reference', '=', reference)
    .orderBy('started_at')
    .execute();
  return rows.map((r) => r.call_sid);
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
