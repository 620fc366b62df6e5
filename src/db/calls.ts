import type { Kysely } from 'kysely';
import { compiledQuery, rowsShape, slotRecord, slotRows } from './compiled-query.js';
import type { Call, CallStep, Database, NewCall, NewCallStep } from './schema.js';

// The phone line's queries are built and compiled once (compiled-query.ts): every webhook runs several of them.
const callBySid = compiledQuery((db: Kysely<Database>, $: { callSid: string }) =>
  db.selectFrom('calls').selectAll().where('call_sid', '=', $.callSid),
);

export async function findCall(db: Kysely<Database>, callSid: string): Promise<Call | undefined> {
  return (await callBySid.execute(db, { callSid })).rows[0];
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

const turnResponse = compiledQuery((db: Kysely<Database>, $: { callSid: string; turn: number }) =>
  db.selectFrom('call_turns').select('response').where('call_sid', '=', $.callSid).where('turn', '=', $.turn),
);

/** The answer already given to a turn, if any: what a repeated webhook must get again. */
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
