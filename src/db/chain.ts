import { hash as digest } from 'node:crypto';
import { everyKeyOf } from '../every-key.js';
import { jsonValue } from '../json-text.js';
import type { ConsentEvent } from './schema.js';

/** The `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event as its chain is checked: every hashed field and the hash (a JSON Lines export holds no more). */
export type ChainEvent = Omit<ConsentEvent, 'chain_id'>;

/** The fields a hash covers (the hash itself and the chain's id are left out). */
export type ChainedFields = Omit<ChainEvent, 'hash'>;

/**
 * The canonical form of an event: JSON with keys sorted and every field present (null when empty), as in
 * RFC 8785 for flat objects of strings, integers and nulls. Anyone can recompute it from an export.
 * A key added after the first release (`LATER_KEYS`) is written only when it is not null, so every event
 * recorded before it existed keeps its hash (docs/ledger.md).
 */
export function canonicalEvent(event: ChainedFields): string {
  const source = event as unknown as Record<string, unknown>;
  return canonicalValues(HASHED_KEYS.map((key) => source[key] ?? null));
}

/**
 * The canonical form from the values of `HASHED_KEYS`, in that order, starting at `offset`: what
 * `canonicalEvent` writes, built as one string (a walk over a million rows allocates nothing else per row).
 * Each value is written as `JSON.stringify` writes it, so the two forms are the same text.
 */
export function canonicalValues(values: ArrayLike<unknown>, offset = 0): string {
  let text = '{';
  let first = true;
  for (let i = 0; i < HASHED_KEYS.length; i += 1) {
    const value = values[offset + i] ?? null;
    if (value === null && LATER[i]) continue;
    text += first ? KEY_OPENINGS[i] : `,${KEY_OPENINGS[i]}`;
    text += jsonValue(value);
    first = false;
  }
  return `${text}}`;
}

/**
 * The canonical form as SQLite writes it with `json_object`, given the SQL of each hashed column: one value to read
 * per row instead of one per column, built in C. For every text, integer and null SQLite holds it is the text
 * `canonicalValues` writes of the values read (test/db/sql-canonical.test.ts); a walk trusts it only when it
 * hashes to the stored hash, and recomputes the form in JavaScript otherwise. A BLOB makes SQLite fail the
 * statement: the scan then reads that page without it.
 */
export function canonicalSql(
  column: (key: string) => string,
  keys: readonly string[] = HASHED_KEYS,
  later: readonly string[] = LATER_KEYS,
): string {
  const [key, ...rest] = later;
  if (key === undefined) return jsonObjectSql(keys, column);
  // A later key is left out when null (see canonicalValues).
  const without = keys.filter((k) => k !== key);
  return `case when ${column(key)} is null then ${canonicalSql(column, without, rest)} else ${canonicalSql(column, keys, rest)} end`;
}

/** SQLite's `json_object` of `keys` in that order, the value of each the SQL `column` gives for it. */
export function jsonObjectSql(keys: readonly string[], column: (key: string) => string): string {
  return `json_object(${keys.map((k) => `'${k}', ${column(k)}`).join(', ')})`;
}

export function eventHash(prevHash: string, event: ChainedFields): string {
  return digest('sha256', prevHash + canonicalEvent(event), 'hex');
}

/** `eventHash` of an event given as the values of `HASHED_KEYS` from `offset` on. */
export function valuesHash(prevHash: string, values: ArrayLike<unknown>, offset = 0): string {
  return digest('sha256', prevHash + canonicalValues(values, offset), 'hex');
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
export const HASHED_KEYS: readonly (keyof ChainedFields)[] = [
  ...everyKeyOf<ChainedFields>()([...CHAINED_KEYS, ...LATER_KEYS]),
].sort();
const LATER: readonly boolean[] = HASHED_KEYS.map((key) => LATER_KEY_SET.has(key));
const KEY_OPENINGS: readonly string[] = HASHED_KEYS.map((key) => `${JSON.stringify(key)}:`);

export type ChainCheck =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; seq: number; problem: string };

/** A walk's start: from the genesis hash, or from whatever the first event links to (a slice of the chain). */
export interface WalkOptions {
  expectHead?: string;
  from?: 'genesis' | 'first-event';
}

/**
 * A walk along the chain, one event at a time, in order: `step` names what is wrong with the next event (a
 * changed field, a removed or re-ordered row), `accept` moves on past it. `expectHead`, if given, must be the hash
 * of some event on the way. `from: 'first-event'` checks a slice of the chain (an export that starts mid-way): the
 * first event's `seq` and `prev_hash` are taken as given, since its predecessor is not there to check them against
 * (seq 1 must still follow the genesis hash).
 */
export class ChainWalk {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private count = 0;
  private headFound: boolean | undefined;

  constructor(private readonly options: WalkOptions = {}) {
    this.headFound = options.expectHead === undefined ? undefined : false;
  }

  /**
   * `values` holds the event's values of `HASHED_KEYS`, in that order, from `offset` on; `canonical`, when given,
   * the canonical form SQLite wrote of them (`canonicalSql`), taken if it hashes to `hash`.
   */
  step(
    seq: number,
    prevHash: string,
    hash: string,
    values: ArrayLike<unknown>,
    offset = 0,
    canonical?: string | null,
  ): string | undefined {
    this.takeFirst(seq, prevHash);
    const expected = this.expectedSeq;
    if (seq !== expected) {
      return seq > expected
        ? `seq ${seq} follows seq ${expected - 1}: events ${expected}..${seq - 1} are missing`
        : `seq ${seq} is out of order (expected ${expected})`;
    }
    if (prevHash !== this.prev) return `prev_hash is ${prevHash}, but the previous event's hash is ${this.prev}`;
    if (typeof canonical === 'string' && digest('sha256', this.prev + canonical, 'hex') === hash) return undefined;
    const computed = valuesHash(this.prev, values, offset);
    if (computed !== hash) return `hash is ${hash}, but the row's contents hash to ${computed}`;
    return undefined;
  }

  /**
   * Whether the next event follows on `canonical`, its canonical form as given (never recomputed): false leaves the
   * event to `step`, which names what is wrong.
   */
  followsOn(seq: number, prevHash: string, hash: string, canonical: string): boolean {
    this.takeFirst(seq, prevHash);
    return (
      seq === this.expectedSeq && prevHash === this.prev && digest('sha256', this.prev + canonical, 'hex') === hash
    );
  }

  /** A slice's first event is taken as given: its predecessor is not there to check it against. */
  private takeFirst(seq: number, prevHash: string): void {
    if (this.count === 0 && this.options.from === 'first-event' && seq !== 1) {
      this.prev = prevHash;
      this.expectedSeq = seq;
    }
  }

  accept(hash: string): void {
    if (hash === this.options.expectHead) this.headFound = true;
    this.prev = hash;
    this.expectedSeq += 1;
    this.count += 1;
  }

  failed(seq: number, problem: string): ChainCheck {
    return { ok: false, count: this.count, seq, problem };
  }

  result(): ChainCheck & { headFound?: boolean } {
    const found = this.headFound;
    return { ok: true, count: this.count, head: this.prev, ...(found === undefined ? {} : { headFound: found }) };
  }
}

/** Walks events in order (see `ChainWalk`) and names the first that does not follow from the one before. */
export async function checkChain(
  events: AsyncIterable<ChainEvent> | Iterable<ChainEvent>,
  options: WalkOptions & {
    /** A further check of each event (its statement, say); a message means it failed. */
    checkEvent?: (event: ChainEvent) => string | undefined | Promise<string | undefined>;
  } = {},
): Promise<ChainCheck & { headFound?: boolean }> {
  const walk = new ChainWalk(options);
  for await (const event of events) {
    const source = event as unknown as Record<string, unknown>;
    const values = HASHED_KEYS.map((key) => source[key] ?? null);
    const problem = walk.step(event.seq, event.prev_hash, event.hash, values) ?? (await options.checkEvent?.(event));
    if (problem) return walk.failed(event.seq, problem);
    walk.accept(event.hash);
  }
  return walk.result();
}
