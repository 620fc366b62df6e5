import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, eventHash, GENESIS_HASH } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { exportLineParts } from '../../src/export/export-line.js';
import { ivrEvent } from '../helpers/ledger.js';

// Text as a line decoded from UTF-8 holds it (well-formed), with what JSON escapes drawn far more often than chance.
const SPECIAL = ['"', '\\', '\\"', '\\\\"', '/', '\u0000', '\b', '\t', '\n', '\u001f', '\u007f', '\u2028', 'ü', '😀'];
const text = fc
  .array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 6 })), { maxLength: 6 })
  .map((parts) => parts.join(''));
const TEXTS = ['event_id', 'phone_number', 'business', 'category', 'reason', 'script_id', 'voice', 'call_sid'] as const;

const anEvent = fc
  .record({
    texts: fc.record(Object.fromEntries(TEXTS.map((c) => [c, text])) as Record<string, fc.Arbitrary<string>>),
    nulls: fc.subarray(['phone_number', 'reason', 'voice', 'call_sid'] as const),
    // Up to 15 digits: a longer seq is read whole (see the last test).
    seq: fc.integer({ min: 1, max: 999_999_999_999_999 }),
    attempt: fc.option(fc.integer(), { nil: null }),
    transcript: fc.option(fc.constant('b'.repeat(64)), { nil: null }),
    prev: fc.constantFrom(GENESIS_HASH, 'c'.repeat(64)),
  })
  .map(({ texts, nulls, seq, attempt, transcript, prev }) => {
    const fields = {
      ...ivrEvent(),
      ...texts,
      ...Object.fromEntries(nulls.map((c) => [c, null])),
      seq,
      attempt,
      transcript_sha256: transcript,
      recorded_at: '2026-11-25T10:00:00.000Z',
      prev_hash: prev,
    } as unknown as ConsentEvent;
    return { ...fields, hash: eventHash(prev, fields) } as ConsentEvent;
  });

/** The line the export writes of an event (test/db/json-lines.test.ts holds SQLite's to this). */
const lineOf = (event: ConsentEvent) =>
  JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, event[c] ?? null])));

/** What the walk takes as the event: its parts, with a canonical form hashing to its hash. */
function takenAs(line: string, event: ConsentEvent): boolean {
  const parts = exportLineParts(line);
  return (
    parts !== undefined &&
    parts.seq === event.seq &&
    parts.prevHash === event.prev_hash &&
    parts.hash === event.hash &&
    parts.canonical === canonicalEvent(event)
  );
}

// Edits that change how a line is written but perhaps not what it says, and ones that change both.
const TRICKS = [' ', '\\u0041', '\\/', '\\"', '\\', '"', ',', ':', '}', '{', '0', '-0', '1.0', '1e0', 'null', '"x":1,'];
const anEdit = fc.oneof(
  fc.record({ at: fc.nat(), remove: fc.nat({ max: 4 }), insert: fc.constantFrom('', ...TRICKS) }),
  fc.record({ at: fc.nat(), remove: fc.constant(0), insert: fc.string({ maxLength: 3 }) }),
);

describe("a line's parts read without JSON.parse (verify --file)", () => {
  it('are the seq, hashes and canonical form of the event, for any event the export writes', () => {
    fc.assert(
      fc.property(anEvent, (event) => {
        expect(takenAs(lineOf(event), event)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('are never taken as an event unless the line is exactly the one the export writes of it', () => {
    fc.assert(
      fc.property(anEvent, fc.array(anEdit, { minLength: 1, maxLength: 3 }), (event, edits) => {
        const written = lineOf(event);
        let line = written;
        for (const { at, remove, insert } of edits) {
          const i = at % (line.length + 1);
          line = line.slice(0, i) + insert + line.slice(i + remove);
        }
        if (takenAs(line, event)) expect(line).toBe(written);
      }),
      { numRuns: 5000 },
    );
  });

  it('are not read from a value written another way, a repeated key, a key out of order, a lone surrogate or a line that is no object', () => {
    const event = fc.sample(anEvent, 1)[0] as ConsentEvent;
    const written = lineOf({ ...event, business: 'Demo Shop', reason: 'A' });
    expect(exportLineParts(written)).toBeDefined();
    for (const line of [
      written.replace('"reason":"A"', '"reason":"\\u0041"'),
      written.replace('"business":"Demo Shop"', '"business":"Demo\\u0020Shop"'),
      written.replace('"reason":"A"', '"reason":"A","reason":"B"'),
      written.replace('"reason":"A"', '"reason": "A"'),
      written.replace(/^\{"seq":(\d+),"recorded_at":("[^"]*")/, '{"recorded_at":$2,"seq":$1'),
      written.replace('"reason":"A"', '"reason":"\ud800"'),
      `${written} `,
      written.replace(/^\{/, '['),
    ]) {
      expect(line).not.toBe(written);
      const parts = exportLineParts(line);
      expect(parts === undefined || parts.canonical !== exportLineParts(written)?.canonical).toBe(true);
    }
  });

  it('are read off a value holding escaped quotes and backslashes, the end of each string found', () => {
    const event = { ...(fc.sample(anEvent, 1)[0] as ConsentEvent), reason: 'Kunde: "sofort" \\', voice: '\\"' };
    const hashed = { ...event, hash: eventHash(event.prev_hash, event) };
    expect(takenAs(lineOf(hashed), hashed)).toBe(true);
  });

  it('are left to the full check, which names what is wrong, for a value an event cannot hold', () => {
    const event = fc.sample(anEvent, 1)[0] as ConsentEvent;
    const written = lineOf({ ...event, seq: 7, attempt: 1, decision: 'opt_in', source: 'ivr', phone_number: '+1' });
    expect(exportLineParts(written)).toBeDefined();
    for (const [from, to] of [
      ['"seq":7,', '"seq":0,'],
      ['"seq":7,', '"seq":-7,'],
      ['"decision":"opt_in"', '"decision":"maybe"'],
      ['"source":"ivr"', '"source":"web"'],
      [`"prev_hash":"${event.prev_hash}"`, `"prev_hash":"${event.prev_hash.toUpperCase().replace(/^0/, 'A')}"`],
      [`"business":${JSON.stringify(event.business)}`, '"business":null'],
      ['"attempt":1,', '"attempt":"1",'],
      ['"phone_number":"+1"', '"phone_number":1'],
    ]) {
      const line = written.replace(from as string, to as string);
      expect(line).not.toBe(written);
      expect(exportLineParts(line)).toBeUndefined();
    }
  });

  it('are not read from a lone surrogate, which SHA-256 would hash as the U+FFFD recorded', () => {
    const event = { ...(fc.sample(anEvent, 1)[0] as ConsentEvent), reason: '\ufffd' };
    const hashed = { ...event, hash: eventHash(event.prev_hash, event) };
    expect(takenAs(lineOf(hashed), hashed)).toBe(true);
    expect(exportLineParts(lineOf(hashed).replace('\ufffd', '\ud800'))).toBeUndefined();
  });

  it('are left to the full check for a seq of 16 digits', () => {
    const event = { ...(fc.sample(anEvent, 1)[0] as ConsentEvent), seq: 1_000_000_000_000_000 };
    expect(exportLineParts(lineOf(event))).toBeUndefined();
  });
});
