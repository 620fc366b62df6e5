import type { Kysely } from 'kysely';
import { digestedCall, findDigestedPrefix, lastKeyIndex, transcriptDigest } from '../evidence/transcript-digest.js';
import { sha256Hex } from '../hash.js';
import { findCall, stepsForCall } from './calls.js';
import { checkChain, eventHash, GENESIS_HASH } from './chain.js';
import { compiledQuery, rowsShape, slotRows } from './compiled-query.js';
import type { Call, CallStep, ConsentEvent, Database } from './schema.js';
import { statementText } from './statements.js';

/**
 * An event as a caller of `appendEvents` describes it; sequence, time and hashes are added here, and so is an
 * IVR decision's transcript digest unless given.
 */
export type NewConsentEvent = Omit<
  ConsentEvent,
  'seq' | 'event_id' | 'recorded_at' | 'prev_hash' | 'hash' | 'transcript_sha256'
> & { transcript_sha256?: string | null };

/**
 * Appends events to the chain. Call it inside `writeTransaction`, which holds the write lock while the chain
 * head is read, so concurrent writers cannot fork the chain.
 */
export async function appendEvents(
  trx: Kysely<Database>,
  events: NewConsentEvent[],
  stamp: {
    recordedAt: string;
    newId: () => string;
    /** A call and all its steps as this transaction has them, when the caller has read them already. */
    read?: { call: Call; steps: CallStep[] };
  },
): Promise<ConsentEvent[]> {
  if (events.length === 0) return [];
  const head = (await chainHead.execute(trx, {})).rows[0];
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows: ConsentEvent[] = [];
  const digests = new Map<string, string | null>();
  if (stamp.read) digests.set(stamp.read.call.call_sid, decidingDigest(stamp.read.call, stamp.read.steps));
  for (const event of events) {
    seq += 1;
    const transcript_sha256 =
      event.transcript_sha256 !== undefined ? event.transcript_sha256 : await decidingTranscript(trx, event, digests);
    const fields = {
      ...event,
      transcript_sha256,
      seq,
      event_id: stamp.newId(),
      recorded_at: stamp.recordedAt,
      prev_hash: prev,
    };
    const hash = eventHash(prev, fields);
    rows.push({ ...fields, hash });
    prev = hash;
  }
  const shape = rowsShape(rows);
  if (shape) await eventRows.execute(trx, { rows }, shape.key);
  else await trx.insertInto('consent_events').values(rows).execute();
  return rows;
}

// Built and compiled once (compiled-query.ts): every decision a caller makes runs both.
const chainHead = compiledQuery((db: Kysely<Database>, _$: Record<string, never>) =>
  db.selectFrom('consent_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1),
);

const eventRows = compiledQuery((db: Kysely<Database>, _$: { rows: ConsentEvent[] }, shape: string) => {
  const [n, columns] = shape.split(':') as [string, string];
  return db.insertInto('consent_events').values(slotRows<ConsentEvent>(Number(n), columns.split(',')));
});

/**
 * The digest of an IVR decision's call transcript up to the key that decided it: the last key written so far,
 * read from the steps this same transaction wrote, so the digest and the decision commit together.
 */
async function decidingTranscript(
  trx: Kysely<Database>,
  event: NewConsentEvent,
  cache: Map<string, string | null>,
): Promise<string | null> {
  if (event.source !== 'ivr' || event.call_sid === null) return null;
  const known = cache.get(event.call_sid);
  if (known !== undefined) return known;
  const call = await findCall(trx, event.call_sid);
  const digest = call ? decidingDigest(call, await stepsForCall(trx, event.call_sid)) : null;
  cache.set(event.call_sid, digest);
  return digest;
}

function decidingDigest(call: Call, steps: CallStep[]): string | null {
  const key = lastKeyIndex(steps);
  return key >= 0 ? transcriptDigest(digestedCall(call), steps, key) : null;
}

/**
 * Reads every event in order, a page at a time, so memory stays flat however long the ledger is. The first page
 * has no lower bound: a row slipped in with seq 0 or below must be seen, not skipped.
 */
export async function* readEvents(
  db: Kysely<Database>,
  pageSize = 1000,
  from?: { after: number },
): AsyncGenerator<ConsentEvent> {
  let after: number | undefined = from?.after;
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
  return checkChain(readEvents(db), { ...options, checkEvent: eventChecker(db) });
}

/** Everything checked of each event beside its hash: the words it answered and the call it came from. */
export function eventChecker(db: Kysely<Database>) {
  const statements = statementChecker(db);
  const transcripts = transcriptChecker(db);
  return async (event: ConsentEvent): Promise<string | undefined> =>
    (await statements(event)) ?? (await transcripts(event));
}

/**
 * An IVR decision's transcript digest must still match its call's steps up to a key: a changed key, time or
 * prompt in `call_steps` (or a changed call) breaks it. Events of one call come together, so its steps are
 * read once.
 */
function transcriptChecker(db: Kysely<Database>) {
  let cached: { callSid: string; call: Call | undefined; steps: CallStep[] } | undefined;
  return async (event: ConsentEvent): Promise<string | undefined> => {
    const digest = event.transcript_sha256;
    if (digest === null || event.call_sid === null) return undefined;
    if (cached?.callSid !== event.call_sid) {
      const call = await findCall(db, event.call_sid);
      cached = { callSid: event.call_sid, call, steps: call ? await stepsForCall(db, event.call_sid) : [] };
    }
    if (!cached.call) return `its call ${event.call_sid} is missing from calls`;
    if (findDigestedPrefix(cached.call, cached.steps, digest) < 0) {
      return `the transcript of call ${event.call_sid} has been changed: no prefix of its steps up to a key hashes to transcript_sha256 ${digest}`;
    }
    return undefined;
  };
}

function statementChecker(db: Kysely<Database>) {
  const verified = new Set<string>();
  return async (event: ConsentEvent): Promise<string | undefined> => {
    const hash = event.statement_sha256;
    if (hash === null || verified.has(hash)) return undefined;
    const text = await statementText(db, hash);
    if (text === undefined) return `the statement ${hash} it answers is missing from statements`;
    const actual = sha256Hex(text);
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

export function eventAt(db: Kysely<Database>, seq: number): Promise<ConsentEvent | undefined> {
  return db.selectFrom('consent_events').selectAll().where('seq', '=', seq).executeTakeFirst();
}

export function eventsForCall(db: Kysely<Database>, callSid: string): Promise<ConsentEvent[]> {
  return db.selectFrom('consent_events').selectAll().where('call_sid', '=', callSid).orderBy('seq').execute();
}
