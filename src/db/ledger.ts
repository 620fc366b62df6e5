import type { Kysely } from 'kysely';
import { sha256Hex } from '../hash.js';
import { checkChain, eventHash, GENESIS_HASH } from './chain.js';
import type { ConsentEvent, Database } from './schema.js';

/** An event as a caller of `appendEvents` describes it; sequence, time and hashes are added here. */
export type NewConsentEvent = Omit<ConsentEvent, 'seq' | 'event_id' | 'recorded_at' | 'prev_hash' | 'hash'>;

/**
 * Appends events to the chain. Call it inside `writeTransaction`, which holds the write lock while the chain
 * head is read, so concurrent writers cannot fork the chain.
 */
export async function appendEvents(
  trx: Kysely<Database>,
  events: NewConsentEvent[],
  stamp: { recordedAt: string; newId: () => string },
): Promise<ConsentEvent[]> {
  if (events.length === 0) return [];
  const head = await trx
    .selectFrom('consent_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows: ConsentEvent[] = [];
  for (const event of events) {
    seq += 1;
    const fields = { ...event, seq, event_id: stamp.newId(), recorded_at: stamp.recordedAt, prev_hash: prev };
    const hash = eventHash(prev, fields);
    rows.push({ ...fields, hash });
    prev = hash;
  }
  await trx.insertInto('consent_events').values(rows).execute();
  return rows;
}

/**
 * Reads every event in order, a page at a time, so memory stays flat however long the ledger is. The first page
 * has no lower bound: a row slipped in with seq 0 or below must be seen, not skipped.
 */
export async function* readEvents(db: Kysely<Database>, pageSize = 1000): AsyncGenerator<ConsentEvent> {
  let after: number | undefined;
  for (;;) {
    let query = db.selectFrom('consent_events').selectAll().orderBy('seq').limit(pageSize);
    if (after !== undefined) query = query.where('seq', '>', after);
    const page = await query.execute();
    yield* page;
    if (page.length < pageSize) return;
    after = (page.at(-1) as ConsentEvent).seq;
  }
}

/**
 * Recomputes every hash from the first event, and checks that the words each IVR decision answered are still
 * kept under their hash; names the first event that does not match.
 */
export function verifyLedger(db: Kysely<Database>, options: { expectHead?: string } = {}) {
  return checkChain(readEvents(db), { ...options, checkEvent: statementChecker(db) });
}

function statementChecker(db: Kysely<Database>) {
  const verified = new Set<string>();
  return async (event: ConsentEvent): Promise<string | undefined> => {
    const hash = event.statement_sha256;
    if (hash === null || verified.has(hash)) return undefined;
    const row = await db.selectFrom('statements').select('text').where('sha256', '=', hash).executeTakeFirst();
    if (!row) return `the statement ${hash} it answers is missing from statements`;
    const actual = sha256Hex(row.text);
    if (actual !== hash) return `the statement kept under ${hash} has been changed: its text hashes to ${actual}`;
    verified.add(hash);
    return undefined;
  };
}

/**
 * What a number has currently agreed to: the latest event per business and category (latest wins, so an
 * opt-out after an opt-in means no consent).
 */
export async function currentConsent(
  db: Kysely<Database>,
  phoneNumber: string,
  business?: string,
): Promise<ConsentEvent[]> {
  let query = db
    .selectFrom('consent_events as e')
    .selectAll()
    .where('e.phone_number', '=', phoneNumber)
    .where(({ eb, selectFrom }) =>
      eb(
        'e.seq',
        '=',
        selectFrom('consent_events as l')
          .select(({ fn }) => fn.max('l.seq').as('seq'))
          .whereRef('l.phone_number', '=', 'e.phone_number')
          .whereRef('l.business', '=', 'e.business')
          .whereRef('l.category', '=', 'e.category'),
      ),
    );
  if (business !== undefined) query = query.where('e.business', '=', business);
  return query.orderBy('e.business').orderBy('e.category').execute();
}

export function eventsForCall(db: Kysely<Database>, callSid: string): Promise<ConsentEvent[]> {
  return db.selectFrom('consent_events').selectAll().where('call_sid', '=', callSid).orderBy('seq').execute();
}
