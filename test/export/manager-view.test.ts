import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { exportEvents, writeExport } from '../../src/export/write-export.js';
import { pagesOf } from '../helpers/export-pages.js';
import { addEvents, callRow, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  ledger = await tempStore();
  // Winter (UTC+1) and summer (UTC+2) in Berlin, an agent's opt-out with a reason, umlauts in the business.
  await addEvents(ledger.store, [ivrEvent({ business: 'Bäckerei Müller' })], '2026-01-15T09:30:00.000Z');
  await addEvents(
    ledger.store,
    [
      ivrEvent({
        source: 'agent',
        decision: 'opt_out',
        call_sid: null,
        reason: 'Kundin möchte keine Nachrichten',
        language: null,
      }),
    ],
    '2026-07-15T09:30:00.000Z',
  );
  await ledger.store.db
    .insertInto('calls')
    .values(
      callRow({
        reference: '40718263',
        number_source: 'caller_id',
        started_at: '2026-01-15T09:29:00.000Z',
        updated_at: '2026-01-15T09:30:00.000Z',
        call_status: null,
      }),
    )
    .execute();
});
afterEach(() => ledger.remove());

async function exported(options: Parameters<typeof exportEvents>[3]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEvents(ledger.store.db, {}, out, options);
  return Buffer.concat(chunks);
}

describe('the summary a manager opens', () => {
  it('is the default CSV: headers in words, local time and UTC, the call reference', async () => {
    const csv = (await exported({ format: 'csv', timeZone: 'Europe/Berlin' })).toString('utf8');
    expect(csv.split('\r\n')).toEqual([
      'Recorded at (Europe/Berlin),Recorded at (UTC),Phone number,Business,Category,Decision,Source,Reason,Call reference,Language',
      "2026-01-15 10:30:00,2026-01-15 09:30:00,'+14155550123,Bäckerei Müller,utility,opt_in,ivr,,40718263,en-US",
      "2026-07-15 11:30:00,2026-07-15 09:30:00,'+14155550123,Demo Shop,utility,opt_out,agent,Kundin möchte keine Nachrichten,,",
      '',
    ]);
  });

  it('shows one time column when the zone is UTC', async () => {
    const csv = (await exported({ format: 'csv' })).toString('utf8');
    expect(csv.split('\r\n')[0]?.startsWith('Recorded at (UTC),Phone number,')).toBe(true);
  });

  it('is an xlsx sheet with date cells in the zone, text numbers, filter, frozen header, and a sheet about the file', async () => {
    const file = join(ledger.dir, 'summary.xlsx');
    const about = {
      filters: { business: 'Bäckerei Müller' },
      exportedAt: '2026-11-28T10:00:00.000Z',
      chainHead: 'ab'.repeat(32),
    };
    const out = createWriteStream(file);
    await exportEvents(ledger.store.db, {}, out, { format: 'xlsx', timeZone: 'Europe/Berlin', about });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const [sheet, aboutSheet] = workbook.worksheets as [ExcelJS.Worksheet, ExcelJS.Worksheet];
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Recorded at (Europe/Berlin)',
      'Recorded at (UTC)',
      'Phone number',
      'Business',
      'Category',
      'Decision',
      'Source',
      'Reason',
      'Call reference',
      'Language',
    ]);
    // A date cell shows its fields as stored: the Berlin wall clock in the first column, UTC in the second.
    expect(sheet.getCell('A2').value).toEqual(new Date('2026-01-15T10:30:00.000Z'));
    expect(sheet.getCell('A3').value).toEqual(new Date('2026-07-15T11:30:00.000Z'));
    expect(sheet.getCell('B3').value).toEqual(new Date('2026-07-15T09:30:00.000Z'));
    expect(sheet.getCell('A2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(sheet.getCell('C2').value).toBe('+14155550123');
    expect(sheet.getCell('C2').numFmt).toBe('@');
    expect(sheet.getCell('I2').value).toBe('40718263');
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(4).width).toBeGreaterThanOrEqual('Bäckerei Müller'.length);
    const facts = Object.fromEntries(
      aboutSheet.getSheetValues().flatMap((row) => (Array.isArray(row) ? [[row[1], row[2]]] : [])),
    );
    expect(facts).toMatchObject({
      'Events in this file': '2',
      Filters: 'business: Bäckerei Müller',
      'Chain head at export': 'ab'.repeat(32),
      'Exported at (UTC)': '2026-11-28T10:00:00.000Z',
    });
    expect(String(facts['How to verify'])).toContain('optin-ivr verify');
  });

  it('opens with its umlauts intact in gnumeric when written with --bom (ssconvert, the default CSV import)', async () => {
    const csvFile = join(ledger.dir, 'summary.csv');
    writeFileSync(csvFile, await exported({ format: 'csv', bom: true, timeZone: 'Europe/Berlin' }));
    const back = join(ledger.dir, 'back.csv');
    execFileSync('ssconvert', ['--export-type=Gnumeric_stf:stf_csv', csvFile, back], { stdio: 'pipe' });
    const text = readFileSync(back, 'utf8');
    expect(text).toContain('Bäckerei Müller');
    expect(text).toContain('Kundin möchte keine Nachrichten');
    // The byte order mark is read as the encoding, not as part of the first header.
    expect(text.startsWith('"Recorded at (Europe/Berlin)"') || text.startsWith('Recorded at (Europe/Berlin)')).toBe(
      true,
    );
  });
});

describe('the CSV fast path', () => {
  const value = fc.oneof(
    fc.constant(null),
    fc.integer({ min: 0, max: 1_000_000 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  it('writes byte for byte what csv-stringify writes with the RFC 4180 options it replaced', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(value, { minLength: 26, maxLength: 26 }), { maxLength: 4 }), async (rows) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (c: Buffer) => chunks.push(c));
        async function* pages() {
          yield rows;
        }
        await writeExport(pages(), out, { format: 'csv', columns: 'all', raw: true });
        const expected = stringify(rows, {
          header: true,
          columns: [...EXPORT_COLUMNS],
          record_delimiter: 'windows',
          quoted_match: /[\r\n]/,
          cast: {
            string: (v) => (v === '' ? { value: '', quoted_empty: true } : v),
            number: (v) => String(v),
          },
        });
        expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same CSV from pages of any size', async () => {
    const events = await ledger.store.db.selectFrom('consent_events').selectAll().orderBy('seq').execute();
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeExport(pagesOf(events), out, { format: 'csv', columns: 'all' });
    const paged = await exported({ format: 'csv', columns: 'all' });
    expect(Buffer.concat(chunks).equals(paged)).toBe(true);
  });
});
