import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, HASHED_KEYS, LATER_KEYS } from '../src/db/chain.js';
import type { ConsentEvent } from '../src/db/schema.js';
import { EXPORT_COLUMNS } from '../src/export/columns.js';
import { writeExport } from '../src/export/write-export.js';
import { jsonString, jsonValue } from '../src/json-text.js';
import { pagesOf } from './helpers/export-pages.js';
import { ivrEvent } from './helpers/ledger.js';

// The characters JSON treats specially, and the ones around them, drawn far more often than chance would.
const SPECIAL = ['"', '\\', '/', '\u0000', '\u0008', '\t', '\n', '\u001f', ' ', '\u007f', '\u2028', '\u2029'];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00'];
// Any UTF-16 code units: unpaired surrogates too, which fc.string's units never give.
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const piece = fc.oneof(
  fc.constantFrom(...SPECIAL, ...SURROGATES),
  anyUnit,
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ maxLength: 8 }),
);
const anyText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

describe('JSON text of a value', () => {
  it('is what JSON.stringify writes for any string, and parses back to it', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(jsonString(text)).toBe(JSON.stringify(text));
        expect(JSON.parse(jsonString(text))).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('is what JSON.stringify writes for every single UTF-16 unit, alone and between letters', () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c += 1) {
      const unit = String.fromCharCode(c);
      if (jsonString(unit) !== JSON.stringify(unit) || jsonString(`a${unit}b`) !== JSON.stringify(`a${unit}b`)) {
        differ.push(c);
      }
    }
    expect(differ).toEqual([]);
  });

  it('writes numbers and nulls as JSON.stringify does, and undefined as null', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constant(null)), (value) => {
        expect(jsonValue(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 1000 },
    );
    expect(jsonValue(undefined)).toBe('null');
    expect(jsonValue('')).toBe('""');
  });
});

// Every text column of an event, and the integers beside them, given any value a row can hold.
const TEXT_COLUMNS = [
  'event_id',
  'phone_number',
  'number_source',
  'business',
  'channel',
  'category',
  'digits',
  'prompt_id',
  'reason',
  'script_id',
  'script_version',
  'language',
  'voice',
  'call_sid',
  'account_sid',
  'called_number',
] as const satisfies readonly (keyof ConsentEvent)[];

const anEvent = fc
  .record({
    texts: fc.record(
      Object.fromEntries(TEXT_COLUMNS.map((c) => [c, fc.option(anyText, { nil: null })])) as Record<
        string,
        fc.Arbitrary<string | null>
      >,
    ),
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    attempt: fc.option(fc.integer(), { nil: null }),
    transcript: fc.option(anyText, { nil: null }),
  })
  .map(
    ({ texts, seq, attempt, transcript }) =>
      ({
        ...ivrEvent(),
        ...texts,
        seq,
        attempt,
        transcript_sha256: transcript,
        recorded_at: '2026-11-25T10:00:00.000Z',
        prev_hash: '0'.repeat(64),
        hash: 'a'.repeat(64),
      }) as ConsentEvent,
  );

async function jsonlOf(events: ConsentEvent[]): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await writeExport(pagesOf(events), out, { format: 'jsonl' });
  return Buffer.concat(chunks).toString('utf8');
}

describe('JSON text of whole rows', () => {
  it('writes each jsonl line as JSON.stringify writes the event in export order, and it parses back to the event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anEvent, { minLength: 1, maxLength: 3 }), async (events) => {
        const lines = (await jsonlOf(events)).split('\n');
        expect(lines.pop()).toBe('');
        expect(lines).toHaveLength(events.length);
        lines.forEach((line, i) => {
          const event = events[i] as ConsentEvent;
          const ordered = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, event[c] ?? null]));
          // Read back from the UTF-8 bytes: a lone surrogate written raw would have become U+FFFD.
          expect(line).toBe(JSON.stringify(ordered));
          expect(JSON.parse(line)).toEqual(ordered);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('writes the canonical form of an event as JSON.stringify writes it with sorted keys', () => {
    const later = new Set<string>(LATER_KEYS);
    fc.assert(
      fc.property(anEvent, (event) => {
        const source = event as unknown as Record<string, unknown>;
        const sorted = Object.fromEntries(
          HASHED_KEYS.filter((k) => !(later.has(k) && source[k] === null)).map((k) => [k, source[k] ?? null]),
        );
        expect(canonicalEvent(event)).toBe(JSON.stringify(sorted));
        expect(JSON.parse(canonicalEvent(event))).toEqual(sorted);
      }),
      { numRuns: 1000 },
    );
  });
});
