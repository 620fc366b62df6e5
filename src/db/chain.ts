import { createHash } from 'node:crypto';
import { everyKeyOf } from '../every-key.js';
import type { ConsentEvent } from './schema.js';

/** The `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a hash covers, in the order they are written out (the hash itself is left out). */
export type ChainedFields = Omit<ConsentEvent, 'hash'>;

/**
 * The canonical form of an event: JSON with keys sorted and every field present (null when empty), as in
 * RFC 8785 for flat objects of strings, integers and nulls. Anyone can recompute it from an export.
 * A key added after the first release (`LATER_KEYS`) is written only when it is not null, so every event
 * recorded before it existed keeps its hash (docs/ledger.md).
 */
export function canonicalEvent(event: ChainedFields): string {
  const source = event as unknown as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of HASHED_KEYS) {
    const value = source[key] ?? null;
    if (value === null && LATER_KEY_SET.has(key)) continue;
    sorted[key] = value;
  }
  return JSON.stringify(sorted);
}

export function eventHash(prevHash: string, event: ChainedFields): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEvent(event), 'utf8').digest('hex');
}

const CHAINED_KEYS = [
  'account_sid',
  'attempt',
  'business',
  'call_sid',
  'called_number',
  'category',
  'channel',
  'decision',
  'digits',
  'event_id',
  'language',
  'number_source',
  'phone_number',
  'prev_hash',
  'prompt_id',
  'reason',
  'recorded_at',
  'script_id',
  'script_version',
  'seq',
  'signature_verified',
  'source',
  'statement_sha256',
  'voice',
] as const satisfies readonly (keyof ChainedFields)[];

/** Keys added after the first release: hashed only when not null. Keep sorted into place below. */
export const LATER_KEYS = ['transcript_sha256'] as const satisfies readonly (keyof ChainedFields)[];
const LATER_KEY_SET: ReadonlySet<string> = new Set(LATER_KEYS);

/**
 * Every hashed key in sorted order: the canonical form's key order. It must name every column but the hash, or a
 * column could change without the hash noticing: this does not compile until a new column is in one of the lists.
 */
const HASHED_KEYS: readonly string[] = [...everyKeyOf<ChainedFields>()([...CHAINED_KEYS, ...LATER_KEYS])].sort();

export type ChainCheck =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; seq: number; problem: string };

/**
 * Walks events in order and names the first that does not follow from the one before: a changed field,
 * a removed or re-ordered row. `expectHead`, if given, must be the hash of some event on the way.
 * `from: 'first-event'` checks a slice of the chain (an export that starts mid-way): the first event's `seq` and
 * `prev_hash` are taken as given, since its predecessor is not there to check them against (seq 1 must still
 * follow the genesis hash).
 */
export async function checkChain(
  events: AsyncIterable<ConsentEvent> | Iterable<ConsentEvent>,
  options: {
    expectHead?: string;
    from?: 'genesis' | 'first-event';
    /** A further check of each event (its statement, say); a message means it failed. */
    checkEvent?: (event: ConsentEvent) => Promise<string | undefined>;
  } = {},
): Promise<ChainCheck & { headFound?: boolean }> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let headFound = options.expectHead === undefined ? undefined : false;
  for await (const event of events) {
    if (count === 0 && options.from === 'first-event' && event.seq !== 1) {
      prev = event.prev_hash;
      expectedSeq = event.seq;
    }
    const fail = (problem: string) => ({ ok: false as const, count, seq: event.seq, problem });
    if (event.seq !== expectedSeq) {
      return fail(
        event.seq > expectedSeq
          ? `seq ${event.seq} follows seq ${expectedSeq - 1}: events ${expectedSeq}..${event.seq - 1} are missing`
          : `seq ${event.seq} is out of order (expected ${expectedSeq})`,
      );
    }
    if (event.prev_hash !== prev)
      return fail(`prev_hash is ${event.prev_hash}, but the previous event's hash is ${prev}`);
    const computed = eventHash(prev, event);
    if (computed !== event.hash) return fail(`hash is ${event.hash}, but the row's contents hash to ${computed}`);
    const problem = await options.checkEvent?.(event);
    if (problem) return fail(problem);
    if (event.hash === options.expectHead) headFound = true;
    prev = event.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count, head: prev, ...(headFound === undefined ? {} : { headFound }) };
}
