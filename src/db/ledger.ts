import type { Kysely } from 'kysely';
import { digestedCall, findDigestedPrefix, lastKeyIndex, transcriptDigest } from '../evidence/transcript-digest.js';
import { sha256Hex } from '../hash.js';
import { findCall, stepsForCall } from './calls.js';
import { type ChainCheck, ChainWalk, eventHash, GENESIS_HASH, HASHED_KEYS, type WalkOptions } from './chain.js';
import { LEDGER_CHAIN } from './chain-id.js';
import { compiledQuery, rowsShape, slotRows } from './compiled-query.js';
import { lockChain } from './dialect.js';
import { hasSqliteConnection, scanEvents } from './event-scan.js';
import type { Call, CallStep, ConsentEvent, Database } from './schema.js';
import { statementText } from './statements.js';

/**
 * An event as a caller of `appendEvents` describes it; sequence, time and hashes are added here, and so is an
 * IVR decision's transcript digest unless given.
 */
export type NewConsentEvent = Omit<
  ConsentEvent,
  'seq' | 'event_id' | 'recorded_at' | 'prev_hash' | 'hash' | 'transcript_sha256' | 'chain_id'
> & { transcript_sha256?: string | null };

/**
 * Appends events to the chain. Call it inside `store.write` or `writeTransaction`, which hold the chain head
 * (SQLite's write lock, PostgreSQL's advisory lock on the chain) while it is read, so concurrent writers, in this
 * process or any other, cannot fork the chain.
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
  await lockChain(trx, LEDGER_CHAIN);
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
    rows.push({ ...fields, hash, chain_id: LEDGER_CHAIN });
    prev = hash;
  }
  const shape = rowsShape(rows);
  if (shape) await eventRows.execute(trx, { rows }, shape.key);
  else await trx.insertInto('consent_events').values(rows).execute();
  return rows;
}

// Built and compiled once (compiled-query.ts): every decision a caller makes runs both.
const chainHead = compiledQuery((db: Kysely<Database>, _$: Record<string, never>) =>
  db
    .selectFrom('consent_events')
    .select(['seq', 'hash'])
    .where('chain_id', '=', LEDGER_CHAIN)
    .orderBy('seq', 'desc')
    .limit(1),
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
 * Reads every event in order (after `from.after`, if given), a page at a time, so memory stays flat however long
 * the ledger is.
 */
export async function* readEvents(
  db: Kysely<Database>,
  pageSize = 1000,
  from?: { after: number },
): AsyncGenerator<ConsentEvent> {
  const scan = scanEvents(db, {}, { columns: EVENT_KEYS, pageSize, ...(from ? { after: from.after } : {}) });
  for await (const page of scan) {
    for (const values of page) {
      const event = {} as Record<string, unknown>;
      for (let i = 0; i < EVENT_KEYS.length; i += 1) event[EVENT_KEYS[i] as string] = values[i];
      yield event as unknown as ConsentEvent;
    }
  }
}

const EVENT_KEYS: readonly (keyof ConsentEvent)[] = [...HASHED_KEYS, 'hash'];

/**
 * Where a verification row holds what the walk reads. On SQLite the row is narrow, with the canonical form SQLite
 * wrote of the event last (`canonicalSql`): reading 26 values into JavaScript was most of a walk's time. Elsewhere
 * it holds every hashed value and the hash.
 */
function rowLayout(columns: readonly (keyof ConsentEvent)[]) {
  const at = (key: keyof ConsentEvent) => columns.indexOf(key);
  return {
    columns,
    seq: at('seq'),
    prev: at('prev_hash'),
    hash: at('hash'),
    statement: at('statement_sha256'),
    transcript: at('transcript_sha256'),
    call: at('call_sid'),
    canonical: columns.length,
  };
}
const FULL_ROW = rowLayout(EVENT_KEYS);
const NARROW_ROW = rowLayout(['seq', 'prev_hash', 'hash', 'statement_sha256', 'transcript_sha256', 'call_sid']);

/**
 * Recomputes every hash from the first event, and checks that the words each IVR decision answered are still
 * kept under their hash; names the first event that does not match. One synchronous loop per page of rows:
 * only an event whose statement or transcript is still to be checked waits for the database, and an event
 * whose canonical form from SQLite does not hash to its hash is read whole and checked as always.
 */
export async function verifyLedger(db: Kysely<Database>, options: WalkOptions = {}): Promise<WalkResult> {
  const walk = new ChainWalk(options);
  const check = eventChecker(db);
  const layout = hasSqliteConnection(db) ? NARROW_ROW : FULL_ROW;
  // One object, refilled for each event that needs the checks: they read it before their first await.
  const probe: EventRefs = { statement_sha256: null, transcript_sha256: null, call_sid: null };
  for await (const page of scanEvents(db, {}, { columns: layout.columns, canonical: true })) {
    for (const row of page) {
      const seq = row[layout.seq] as number;
      const prev = row[layout.prev] as string;
      const hash = row[layout.hash] as string;
      const values = layout === FULL_ROW ? row : NOT_READ;
      let problem = walk.step(seq, prev, hash, values, 0, row[layout.canonical] as string | null);
      if (problem !== undefined && values === NOT_READ)
        problem = walk.step(seq, prev, hash, await hashedValues(db, seq));
      if (problem === undefined) {
        probe.statement_sha256 = row[layout.statement] as string | null;
        probe.transcript_sha256 = row[layout.transcript] as string | null;
        probe.call_sid = row[layout.call] as string | null;
        const pending = check(probe);
        problem = typeof pending === 'object' ? await pending : pending;
      }
      if (problem !== undefined) return walk.failed(seq, problem);
      walk.accept(hash);
    }
  }
  return walk.result();
}

// The values of a narrow row, which has none: its check failed, and is made again on the whole event.
const NOT_READ: readonly unknown[] = [];

async function hashedValues(db: Kysely<Database>, seq: number): Promise<unknown[]> {
  const event = (await eventAt(db, seq)) as unknown as Record<string, unknown> | undefined;
  return HASHED_KEYS.map((key) => event?.[key] ?? null);
}

type WalkResult = ChainCheck & { headFound?: boolean };

/** What the checks beside the hash read of an event. */
type EventRefs = Pick<ConsentEvent, 'statement_sha256' | 'transcript_sha256' | 'call_sid'>;

/**
 * Everything checked of each event beside its hash: the words it answered and the call it came from. It answers
 * at once (no promise) when there is nothing left to read: a statement verified before, no transcript.
 */
export function eventChecker(db: Kysely<Database>) {
  const statements = statementChecker(db);
  const transcripts = transcriptChecker(db);
  return (event: EventRefs): string | undefined | Promise<string | undefined> => {
    const statement = statements(event);
    if (typeof statement === 'object') return statement.then((problem) => problem ?? transcripts(event));
    return statement ?? transcripts(event);
  };
}

/**
 * An IVR decision's transcript digest must still match its call's steps up to a key: a changed key, time or
 * prompt in `call_steps` (or a changed call) breaks it. Events of one call come together, so its steps are
 * read once.
 */
function transcriptChecker(db: Kysely<Database>) {
  let cached: { callSid: string; call: Call | undefined; steps: CallStep[] } | undefined;
  const check = (digest: string, callSid: string): string | undefined => {
    if (!cached?.call) return `its call ${callSid} is missing from calls`;
    if (findDigestedPrefix(cached.call, cached.steps, digest) < 0) {
      return `the transcript of call ${callSid} has been changed: no prefix of its steps up to a key hashes to transcript_sha256 ${digest}`;
    }
    return undefined;
  };
  return (event: EventRefs): string | undefined | Promise<string | undefined> => {
    const digest = event.transcript_sha256;
    const callSid = event.call_sid;
    if (digest === null) return undefined;
    // A digest is only evidence if the transcript it stands for can be read again.
    if (callSid === null)
      return 'it has a transcript_sha256 but no call_sid: there is no call whose transcript it digests';
    if (cached?.callSid === callSid) return check(digest, callSid);
    return (async () => {
      const call = await findCall(db, callSid);
      cached = { callSid, call, steps: call ? await stepsForCall(db, callSid) : [] };
      return check(digest, callSid);
    })();
  };
}

function statementChecker(db: Kysely<Database>) {
  const verified = new Set<string>();
  return (event: EventRefs): string | undefined | Promise<string | undefined> => {
    const hash = event.statement_sha256;
    if (hash === null || verified.has(hash)) return undefined;
    return (async () => {
      const text = await statementText(db, hash);
      if (text === undefined) return `the statement ${hash} it answers is missing from statements`;
      const actual = sha256Hex(text);
      if (actual !== hash) return `the statement kept under ${hash} has been changed: its text hashes to ${actual}`;
      verified.add(hash);
      return undefined;
    })();
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
