import type { Kysely } from 'kysely';
import { compiledQuery, rowsShape, slotRecord, slotRows } from './compiled-query.js';
import type { Call, CallStep, Database, NewCall, NewCallStep, StatementsTable } from './schema.js';

// The phone line's queries are built and compiled once (compiled-query.ts): every webhook runs several of them.
const callBySid = compiledQuery((db: Kysely<Database>, $: { callSid: string }) =>
  db.selectFrom('calls').selectAll().where('call_sid', '=', $.callSid),
);

export async function findCall(db: Kysely<Database>, callSid: string): Promise<Call | undefined> {
  return (await callBySid.execute(db, { callSid })).rows[0];
}

const newCall = compiledQuery((db: Kysely<Database>, _$: { call: NewCall }, columns: string) =>
  db
    .insertInto('calls')
    .values(slotRecord<NewCall>(['call'], columns.split(',')))
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returning('call_sid'),
);

/** Inserts the call unless one with its CallSid exists (a retried webhook); true when it was inserted. */
export async function insertNewCall(db: Kysely<Database>, call: NewCall): Promise<boolean> {
  const shape = rowsShape([call]);
  const row = shape
    ? (await newCall.execute(db, { call }, shape.columns.join(','))).rows[0]
    : await db
        .insertInto('calls')
        .values(call)
        .onConflict((oc) => oc.column('call_sid').doNothing())
        .returning('call_sid')
        .executeTakeFirst();
  return row !== undefined;
}

type CallPatch = Partial<Omit<Call, 'call_sid'>>;

const callUpdate = compiledQuery((db: Kysely<Database>, $: { callSid: string; patch: CallPatch }, columns: string) =>
  db
    .updateTable('calls')
    .set(slotRecord<CallPatch>(['patch'], columns.split(',')))
    .where('call_sid', '=', $.callSid),
);

export async function updateCall(db: Kysely<Database>, callSid: string, patch: CallPatch): Promise<void> {
  // Kysely leaves a column set to undefined out of the update; so does the shape.
  const columns = Object.keys(patch).filter((k) => patch[k as keyof CallPatch] !== undefined);
  if (columns.length > 0) await callUpdate.execute(db, { callSid, patch }, columns.join(','));
  // An empty patch is an error, as Kysely reports it.
  else await db.updateTable('calls').set(patch).where('call_sid', '=', callSid).execute();
}

const stepRows = compiledQuery((db: Kysely<Database>, _$: { rows: NewCallStep[] }, shape: string) => {
  const [n, columns] = shape.split(':') as [string, string];
  return db.insertInto('call_steps').values(slotRows<NewCallStep>(Number(n), columns.split(',')));
});

export async function addSteps(db: Kysely<Database>, steps: NewCallStep[]): Promise<void> {
  if (steps.length === 0) return;
  const shape = rowsShape(steps);
  if (shape) await stepRows.execute(db, { rows: steps }, shape.key);
  else await db.insertInto('call_steps').values(steps).execute();
}

const stepsBySid = compiledQuery((db: Kysely<Database>, $: { callSid: string }) =>
  db.selectFrom('call_steps').selectAll().where('call_sid', '=', $.callSid).orderBy('id'),
);

export async function stepsForCall(db: Kysely<Database>, callSid: string): Promise<CallStep[]> {
  return (await stepsBySid.execute(db, { callSid })).rows;
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
const turnResponse = compiledQuery((db: Kysely<Database>, $: { callSid: string; turn: number }) =>
  db.selectFrom('call_turns').select('response').where('call_sid', '=', $.callSid).where('turn', '=', $.turn),
);

export async function findTurnResponse(
  db: Kysely<Database>,
  callSid: string,
  turn: number,
): Promise<string | undefined> {
  return (await turnResponse.execute(db, { callSid, turn })).rows[0]?.response;
}

interface TurnResponse {
  call_sid: string;
  turn: number;
  response: string;
  created_at: string;
}

const newTurnResponse = compiledQuery((db: Kysely<Database>, _$: { row: TurnResponse }) =>
  db.insertInto('call_turns').values(slotRecord<TurnResponse>(['row'], ['call_sid', 'turn', 'response', 'created_at'])),
);

export async function saveTurnResponse(db: Kysely<Database>, row: TurnResponse): Promise<void> {
  await newTurnResponse.execute(db, { row });
}

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

export function statementsByHash(db: Kysely<Database>, hashes: string[]) {
  if (hashes.length === 0) return Promise.resolve([]);
  return db.selectFrom('statements').selectAll().where('sha256', 'in', hashes).execute();
}
