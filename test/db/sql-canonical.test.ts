import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalSql, canonicalValues, HASHED_KEYS, LATER_KEYS } from '../../src/db/chain.js';

// A table with the hashed columns, as SQLite stores them (no declared types: a value keeps the type it was given).
const sqlite = new SQLite(':memory:');
sqlite.exec(`create table t (${HASHED_KEYS.join(', ')})`);
const insert = sqlite.prepare(`insert into t values (${HASHED_KEYS.map(() => '?').join(', ')})`);
afterAll(() => sqlite.close());

const SPECIAL = ['"', '\\', '/', '\u0000', '\u0008', '\t', '\n', '\f', '\r', '\u001f', '\u007f', '\u2028', '\u2029'];
// Text as SQLite can hold it: well-formed UTF-16 (a lone surrogate is stored as U+FFFD and read back so).
const text = fc
  .array(fc.oneof(fc.constantFrom(...SPECIAL, 'ü', '😀', '\ufeff'), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 10,
  })
  .map((parts) => parts.join(''));
// Integers bound as BigInt are stored as INTEGER, as the ledger's INTEGER columns store every number they are given.
const integer = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -1, 2 ** 53 - 1)).map(BigInt);
const value = fc.oneof(text, fc.constant(null), integer);
const row = fc.array(value, { minLength: HASHED_KEYS.length, maxLength: HASHED_KEYS.length });

describe("SQLite's canonical form of a row", () => {
  it('is the text canonicalValues writes of the values read, for any text, integer and null', () => {
    // Built in the test, not when the file loads: a mutation run switches its mutants on for each test.
    const read = sqlite.prepare(`select ${HASHED_KEYS.join(', ')}, ${canonicalSql((k) => k)} from t`).raw(true);
    const later = HASHED_KEYS.indexOf(LATER_KEYS[0]);
    fc.assert(
      fc.property(row, fc.boolean(), (values, laterNull) => {
        if (laterNull) values[later] = null;
        sqlite.exec('delete from t');
        insert.run(...values);
        const [back] = read.all() as unknown[][];
        const stored = (back as unknown[]).slice(0, HASHED_KEYS.length);
        expect((back as unknown[])[HASHED_KEYS.length]).toBe(canonicalValues(stored));
      }),
      { numRuns: 2000 },
    );
  });
});
