import type { Kysely } from 'kysely';
import type { Call, ConsentEvent, Database } from './schema.js';

/** Every event ever recorded for one number, oldest first (the subscriber index, no scan). */
export function eventsForNumber(db: Kysely<Database>, phone: string): Promise<ConsentEvent[]> {
  return db.selectFrom('consent_events').selectAll().where('phone_number', '=', phone).orderBy('seq').execute();
}

/**
 * The calls that concern a number: made from it, keyed in as the number to message, or recorded against it.
 * A call that ended before any decision still shows up through its caller ID.
 */
export function callsForNumber(db: Kysely<Database>, phone: string, callSids: string[]): Promise<Call[]> {
  return db
    .selectFrom('calls')
    .selectAll()
    .where(({ eb, or }) =>
      or([
        eb('from_number', '=', phone),
        eb('designated_number', '=', phone),
        ...(callSids.length > 0 ? [eb('call_sid', 'in', callSids)] : []),
      ]),
    )
    .orderBy('started_at')
    .execute();
}

export interface ScriptUsage {
  script_id: string;
  script_version: string;
  language: string;
  calls: number;
  first_heard: string;
  last_heard: string;
}

/** Each script version and language callers have heard, with how often and when first and last. */
export async function scriptUsage(db: Kysely<Database>): Promise<ScriptUsage[]> {
  const rows = await db
    .selectFrom('calls')
    .select(({ fn }) => [
      'script_id',
      'script_version',
      'language',
      fn.countAll<number>().as('calls'),
      fn.min<string>('started_at').as('first_heard'),
      fn.max<string>('started_at').as('last_heard'),
    ])
    .groupBy(['script_id', 'script_version', 'language'])
    .orderBy('script_id')
    .orderBy('script_version')
    .orderBy('language')
    .execute();
  return rows.map((r) => ({ ...r, calls: Number(r.calls) }));
}
