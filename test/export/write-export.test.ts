import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkChain } from '../../src/db/chain.js';
import { newOptOutEvent } from '../../src/db/new-event.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { type ExportOptions, exportEvents } from '../../src/export/write-export.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, allEvents, asExported, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
let rows: ConsentEvent[];

// Values a spreadsheet would run as formulas, in free-text fields an agent or an API client can fill.
const HOSTILE = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-2+3', '@SUM(A1:A2)', '\tcmd', '\rcmd'];

describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
    await addEvents(ledger.store, [ivrEvent(), ivrEvent({ category: 'marketing', decision: 'declined', digits: '2' })]);
    await addEvents(
      ledger.store,
      HOSTILE.map((reason) =>
        newOptOutEvent({
          phone_number: '+14155550123',
          business: 'Demo Shop',
          category: 'utility',
          source: 'agent',
          reason,
        }),
      ),
      '2026-11-11T08:00:00.000Z',
    );
    // Quotes, commas, a line break and non-ASCII letters, which RFC 4180 quoting must carry through.
    await addEvents(ledger.store, [
      ivrEvent({ business: 'Müller, "Bäckerei"\nBerlin', phone_number: '+4915112345678' }),
    ]);
    rows = await allEvents(ledger.store);
  });
  afterEach(() => ledger.remove());

  async function exportTo(name: string, options: ExportOptions): Promise<Buffer> {
    const file = join(ledger.dir, name);
    const written = await exportEvents(
      ledger.store.db,
      {},
      createWriteStream(file),
      { columns: 'all', ...options },
      {
        pageSize: 3,
      },
    );
    expect(written).toBe(rows.length);
    return readFileSync(file);
  }

  const asText = (v: string | number | null) => (v === null ? '' : String(v));

  describe('CSV export', () => {
    it('round-trips through csv-parse with a header and the same rows as the database, neutralising formulas', async () => {
      const bytes = await exportTo('safe.csv', { format: 'csv' });
      const text = bytes.toString('utf8');
      expect(text.split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
      const parsed = parse(text, { columns: true }) as Record<string, string>[];
      expect(parsed).toHaveLength(rows.length);
      parsed.forEach((cells, i) => {
        const row = rows[i] as ConsentEvent;
        for (const column of EXPORT_COLUMNS) {
          const exact = asText(row[column]);
          const neutralised = /^[=+\-@\t\r]/.test(exact);
          expect(cells[column]).toBe(neutralised ? `'${exact}` : exact);
        }
      });
      expect(parsed[0]?.phone_number).toBe("'+14155550123");
      expect(parsed.slice(2, 8).map((r) => r.reason)).toEqual(HOSTILE.map((h) => `'${h}`));
      expect(parsed.at(-1)?.business).toBe('Müller, "Bäckerei"\nBerlin');
    });

    it('keeps every value exact with raw, and tells null from an empty string', async () => {
      await addEvents(ledger.store, [ivrEvent({ reason: '' })]);
      rows = await allEvents(ledger.store);
      const parsed = parse((await exportTo('raw.csv', { format: 'csv', raw: true })).toString('utf8'), {
        columns: true,
        // csv-parse says whether a field was quoted: "" is an empty string, nothing at all is null.
        cast: (value, context) => (value === '' && !context.quoting ? null : value),
      }) as Record<string, string | null>[];
      parsed.forEach((cells, i) => {
        const row = rows[i] as ConsentEvent;
        for (const column of EXPORT_COLUMNS) {
          expect(cells[column]).toBe(row[column] === null ? null : String(row[column]));
        }
      });
      expect(parsed.slice(2, 8).map((r) => r.reason)).toEqual(HOSTILE);
      expect(parsed.at(-1)?.reason).toBe('');
    });

    it('starts with a UTF-8 byte order mark only when asked', async () => {
      expect([...(await exportTo('bom.csv', { format: 'csv', bom: true })).subarray(0, 4)]).toEqual([
        0xef, 0xbb, 0xbf, 0x73,
      ]);
      expect((await exportTo('nobom.csv', { format: 'csv' })).subarray(0, 3).toString()).toBe('seq');
    });
  });

  describe('JSON Lines export', () => {
    it('holds each row exactly as stored, so the chain re-verifies from the file alone', async () => {
      const lines = (await exportTo('events.jsonl', { format: 'jsonl' })).toString('utf8').trimEnd().split('\n');
      const parsed = lines.map((l) => JSON.parse(l) as ConsentEvent);
      expect(parsed).toEqual(asExported(rows));
      expect(Object.keys(parsed[0] as object)).toEqual([...EXPORT_COLUMNS]);
      expect(await checkChain(parsed)).toMatchObject({ ok: true, count: rows.length, head: rows.at(-1)?.hash });
    });
  });

  describe('xlsx export', () => {
    it('is a workbook with a frozen header row and text cells holding the values', async () => {
      const bytes = await exportTo('events.xlsx', { format: 'xlsx' });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.getRow(1).values).toEqual([undefined, ...EXPORT_COLUMNS]);
      expect(sheet.rowCount).toBe(rows.length + 1);
      rows.forEach((row, i) => {
        const cells = sheet.getRow(i + 2);
        EXPORT_COLUMNS.forEach((column, c) => {
          const cell = cells.getCell(c + 1);
          if (row[column] === null) {
            expect(cell.value).toBeNull();
          } else {
            expect(cell.type).toBe(ExcelJS.ValueType.String);
            // XML turns a carriage return into a line feed: exact values are what jsonl and raw CSV are for.
            expect(cell.value).toBe(String(row[column]).replaceAll('\r', '\n'));
          }
        });
      });
      expect(sheet.getRow(2).getCell(1).numFmt).toBe('@');
      expect(sheet.getRow(2).getCell(4).value).toBe('+14155550123');
      expect(sheet.getRow(4).getCell(EXPORT_COLUMNS.indexOf('reason') + 1).value).toBe(HOSTILE[0]);
    });
  });
});
