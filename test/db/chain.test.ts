import { describe, expect, it } from 'vitest';
import {
  type ChainEvent,
  type ChainedFields,
  ChainWalk,
  canonicalEvent,
  checkChain,
  eventHash,
  GENESIS_HASH,
} from '../../src/db/chain.js';
import { ivrEvent } from '../helpers/ledger.js';

// The walk over a chain, without a database. The hash recipe itself is pinned by known answers
// (known-answers.test.ts), so building the chains here with eventHash is safe.

/** A well-formed chain of `count` events starting at `from` after `prev`. */
function chain(count: number, from = 1, prev = GENESIS_HASH): ChainEvent[] {
  const events: ChainEvent[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const fields: ChainedFields = {
      transcript_sha256: null,
      ...ivrEvent({ phone_number: `+1415555${String(seq).padStart(4, '0')}` }),
      seq,
      event_id: `id-${seq}`,
      recorded_at: '2026-11-25T10:00:00.000Z',
      prev_hash: prev,
    };
    const hash = eventHash(prev, fields);
    events.push({ ...fields, hash });
    prev = hash;
  }
  return events;
}

describe('checking a chain', () => {
  it('accepts a whole chain and gives its count and head', async () => {
    const events = chain(3);
    expect(await checkChain(events)).toEqual({ ok: true, count: 3, head: events[2]?.hash });
  });

  it('accepts an empty chain, whose head is the genesis hash', async () => {
    expect(await checkChain([])).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
  });

  it('names the first event after a gap, and which events are missing', async () => {
    const events = chain(5);
    expect(await checkChain([events[0], events[1], events[4]] as ChainEvent[])).toEqual({
      ok: false,
      count: 2,
      seq: 5,
      problem: 'seq 5 follows seq 2: events 3..4 are missing',
    });
  });

  it('names an event out of order', async () => {
    const events = chain(3);
    expect(await checkChain([events[0], events[2], events[1]] as ChainEvent[])).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'seq 3 follows seq 1: events 2..2 are missing',
    });
    expect(await checkChain([events[0], events[0]] as ChainEvent[])).toEqual({
      ok: false,
      count: 1,
      seq: 1,
      problem: 'seq 1 is out of order (expected 2)',
    });
  });

  it('names an event whose prev_hash is not the hash before it', async () => {
    const [a, b] = chain(2);
    const forged = { ...(b as ChainEvent), prev_hash: 'e'.repeat(64) };
    expect(await checkChain([a, forged] as ChainEvent[])).toEqual({
      ok: false,
      count: 1,
      seq: 2,
      problem: `prev_hash is ${'e'.repeat(64)}, but the previous event's hash is ${a?.hash}`,
    });
  });

  it('names a changed field, with the stored and the recomputed hash', async () => {
    const [a, b] = chain(2);
    const changed = { ...(a as ChainEvent), decision: 'declined' as const };
    const result = await checkChain([changed, b] as ChainEvent[]);
    expect(result).toEqual({
      ok: false,
      count: 0,
      seq: 1,
      problem: `hash is ${a?.hash}, but the row's contents hash to ${eventHash(GENESIS_HASH, changed)}`,
    });
  });

  it('reports whether an expected head is one of the hashes on the way', async () => {
    const events = chain(3);
    expect(await checkChain(events, { expectHead: events[1]?.hash as string })).toMatchObject({
      ok: true,
      headFound: true,
    });
    expect(await checkChain(events, { expectHead: 'c'.repeat(64) })).toMatchObject({ ok: true, headFound: false });
    expect(await checkChain(events)).not.toHaveProperty('headFound');
  });

  it('checks a slice from its first event, taking that event as given', async () => {
    const slice = chain(5).slice(2);
    expect(await checkChain(slice, { from: 'first-event' })).toEqual({ ok: true, count: 3, head: slice[2]?.hash });
    // From the genesis hash the same slice starts with a gap.
    expect(await checkChain(slice)).toMatchObject({ ok: false, seq: 3, problem: /events 1..2 are missing/ });
    const broken = [slice[0], { ...(slice[1] as ChainEvent), prev_hash: 'd'.repeat(64) }] as ChainEvent[];
    expect(await checkChain(broken, { from: 'first-event' })).toEqual({
      ok: false,
      seq: 4,
      count: 1,
      problem: `prev_hash is ${'d'.repeat(64)}, but the previous event's hash is ${slice[0]?.hash}`,
    });
    // Only the first event of a slice is taken as given: a gap after it is still a gap.
    expect(await checkChain([slice[0], slice[2]] as ChainEvent[], { from: 'first-event' })).toEqual({
      ok: false,
      seq: 5,
      count: 1,
      problem: 'seq 5 follows seq 3: events 4..4 are missing',
    });
  });

  it('still checks seq 1 of a slice against the genesis hash', async () => {
    const [first] = chain(1);
    const forged = { ...(first as ChainEvent), prev_hash: 'b'.repeat(64) };
    expect(await checkChain([forged], { from: 'first-event' })).toMatchObject({
      ok: false,
      seq: 1,
      problem: `prev_hash is ${'b'.repeat(64)}, but the previous event's hash is ${GENESIS_HASH}`,
    });
  });

  it('stops at the first event a further check refuses, and checks nothing after it', async () => {
    const events = chain(3);
    const checked: number[] = [];
    const result = await checkChain(events, {
      checkEvent: async (e) => {
        checked.push(e.seq);
        return e.seq === 2 ? 'its statement is missing' : undefined;
      },
    });
    expect(result).toEqual({ ok: false, count: 1, seq: 2, problem: 'its statement is missing' });
    expect(checked).toEqual([1, 2]);
  });

  it('reads events from an async source one at a time', async () => {
    const events = chain(2);
    async function* source() {
      yield* events;
    }
    expect(await checkChain(source())).toEqual({ ok: true, count: 2, head: events[1]?.hash });
  });
});

describe("a walk's check of an event on a canonical form given (verify --file's lines)", () => {
  const events = chain(3, 5, 'a'.repeat(64));
  const canonicalOf = (event: ChainEvent) => {
    const { hash, ...fields } = event;
    return canonicalEvent(fields);
  };
  const follows = (walk: ChainWalk, event: ChainEvent, changes: Partial<ChainEvent> = {}, canonical?: string) => {
    const e = { ...event, ...changes };
    return walk.followsOn(e.seq, e.prev_hash, e.hash, canonical ?? canonicalOf(event));
  };

  it('takes each next event whose form hashes to its hash, a slice from its first event as given', () => {
    const walk = new ChainWalk({ from: 'first-event' });
    for (const event of events) {
      expect(follows(walk, event)).toBe(true);
      walk.accept(event.hash);
    }
    expect(walk.result()).toEqual({ ok: true, count: 3, head: events[2]?.hash });
  });

  it('refuses a wrong seq, prev_hash or form, leaving step to name it, and never recomputes the form', () => {
    const [first, second] = events as [ChainEvent, ChainEvent];
    const walk = new ChainWalk({ from: 'first-event' });
    expect(follows(walk, first)).toBe(true);
    walk.accept(first.hash);
    expect(follows(walk, second, { seq: 7 })).toBe(false);
    expect(follows(walk, second, { prev_hash: 'b'.repeat(64) })).toBe(false);
    expect(follows(walk, second, {}, canonicalOf({ ...second, category: 'marketing' }))).toBe(false);
    expect(follows(walk, second, { hash: 'c'.repeat(64) })).toBe(false);
    expect(walk.step(7, second.prev_hash, second.hash, [])).toMatch(/^seq 7 follows seq 5/);
    expect(follows(walk, second)).toBe(true);
  });

  it('checks seq 1 against the genesis hash, and a whole chain from it', () => {
    const [one] = chain(1) as [ChainEvent];
    expect(follows(new ChainWalk({ from: 'first-event' }), one, { prev_hash: 'a'.repeat(64) })).toBe(false);
    expect(follows(new ChainWalk(), (events as [ChainEvent])[0])).toBe(false);
    expect(follows(new ChainWalk(), one)).toBe(true);
  });
});
