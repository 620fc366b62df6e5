import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { writeExport } from '../../src/export/write-export.js';
import { pagesOf } from '../helpers/export-pages.js';
import { ivrEvent } from '../helpers/ledger.js';

// The text columns a caller, an agent or a script can put words into; every one of them gets any string.
const TEXT_COLUMNS = [
  'event_id',
  'phone_number',
  'business',
  'category',
  'digits',
  'prompt_id',
  'reason',
  'script_id',
  'language',
  'voice',
  'call_sid',
] as const satisfies readonly (keyof ConsentEvent)[];

const FORMULA_START = /^[=+\-@\t\r]/;

function event(seq: number, texts: Record<string, string>): ConsentEvent {
  return {
    ...ivrEvent(),
    ...texts,
    seq,
    recorded_at: '2026-11-25T10:00:00.000Z',
    prev_hash: '0'.repeat(64),
    hash: 'a'.repeat(64),
    transcript_sha256: null,
  } as ConsentEvent;
}

async function csvOf(events: ConsentEvent[], raw: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await writeExport(pagesOf(events), out, { format: 'csv', columns: 'all', raw });
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads records as LibreOffice and most scripts do: a lone CR or LF outside quotes also ends a record. */
function readBack(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: false });
}

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const texts = fc.record(Object.fromEntries(TEXT_COLUMNS.map((c) => [c, anyText])) as Record<string, typeof anyText>);

describe('CSV export of any text in any column', () => {
  it('reads back, raw, to exactly the rows written, however a reader ends its records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(texts, { minLength: 1, maxLength: 4 }), async (rows) => {
        const events = rows.map((r, i) => event(i + 1, r));
        const back = readBack(await csvOf(events, true));
        expect(back).toHaveLength(events.length);
        back.forEach((row, i) => {
          expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS]);
          for (const column of TEXT_COLUMNS) expect(row[column]).toBe(rows[i]?.[column]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads back, spreadsheet-safe, to the same rows with no line of any cell starting a formula', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(texts, { minLength: 1, maxLength: 4 }), async (rows) => {
        const events = rows.map((r, i) => event(i + 1, r));
        const back = readBack(await csvOf(events, false));
        expect(back).toHaveLength(events.length);
        for (const row of back) {
          for (const value of Object.values(row)) {
            for (const line of value.split(/\r\n|\r|\n/)) expect(line).not.toMatch(FORMULA_START);
            expect(value).not.toMatch(/^[\r\n]/);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a reason with a lone LF or CR and a formula on its second line in one guarded cell', async () => {
    for (const reason of ['STOP\n@SUM(1+1)', 'STOP\r=1+1']) {
      const csv = await csvOf([event(1, { reason })], false);
      const back = readBack(csv);
      expect(back).toHaveLength(1);
      expect(back[0]?.reason).toBe(reason.replace(/([\r\n])([=@])/, "$1'$2"));
      expect(csv.split(/\r\n|\r|\n/).some((line) => /^[=@]/.test(line))).toBe(false);
    }
  });
});
