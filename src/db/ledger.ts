import type { Kysely } from 'kysely';
import { type ChainCheck, checkChain, eventHash, GENESIS_HASH } from './chain.js';
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

/** Reads every event in order, a page at a time, so memory stays flat however long the ledger is. */
export async function* readEvents(db: Kysely<Database>, pageSize = 1000): AsyncGenerator<ConsentEvent> {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('consent_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    yield* page;
    if (page.length < pageSize) return;
    after = (page.at(-1) as ConsentEvent).seq;
  }
}

/** Recomputes every hash from the first event; names the first event that does not match. */
export function verifyLedger(db: Kysely<Database>, options: { expectHead?: string } = {}) {
  return checkChain(readEvents(db), options) as Promise<ChainCheck & { headFound?: boolean }>;
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
