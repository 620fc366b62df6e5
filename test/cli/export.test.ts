import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { BIN, runCli, runUntilPipeCloses } from '../helpers/cli.js';
import { addEvents, addManyEvents, allEvents, asExported, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
let rows: ConsentEvent[];
let env: Record<string, string>;

beforeAll(async () => {
  ledger = await tempStore();
  env = { DATABASE_URL: ledger.file };
  await addEvents(ledger.store, [ivrEvent(), ivrEvent({ category: 'marketing' })], '2026-10-31T23:59:59.999Z');
  await addEvents(
    ledger.store,
    [
      ivrEvent({ phone_number: '+4915112345678' }),
      ivrEvent({ phone_number: '+4915112345678', category: 'marketing', decision: 'declined', digits: '2' }),
    ],
    '2026-11-01T00:00:00.000Z',
  );
  await addEvents(ledger.store, [ivrEvent({ business: 'Other Shop' })], '2026-11-30T23:59:59.999Z');
  await addEvents(ledger.store, [ivrEvent({ decision: 'opt_out', digits: '3' })], '2026-12-01T00:00:00.000Z');
  rows = await allEvents(ledger.store);
});
afterAll(() => ledger.remove());

const seqs = (csv: string) => (parse(csv, { columns: true }) as { seq: string }[]).map((r) => Number(r.seq));

describe('optin-ivr export', () => {
  it('writes xlsx into a redirect or a pipe and exits 0 with the whole workbook', async () => {
    for (const via of ['redirect', 'pipe']) {
      const out = join(ledger.dir, `${via}.xlsx`);
      const shell =
        via === 'redirect'
          ? `"$0" "$1" export --format xlsx > "$2"`
          : `"$0" "$1" export --format xlsx | cat > "$2"; exit \${PIPESTATUS[0]}`;
      const run = spawnSync('bash', ['--norc', '--noprofile', '-c', shell, process.execPath, BIN, out], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: ledger.file },
        encoding: 'utf8',
      });
      expect({ via, code: run.status, stderr: run.stderr }).toEqual({ via, code: 0, stderr: '' });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(out);
      expect(workbook.worksheets[0]?.rowCount).toBe(rows.length + 1);
    }
  });

  it('takes --out - as standard output and writes no file named "-"', async () => {
    const cwd = process.cwd();
    const run = await runCli(['export', '--columns', 'all', '--out', '-'], env);
    expect(run.code).toBe(0);
    expect(seqs(run.stdout)).toEqual(rows.map((r) => r.seq));
    expect(existsSync(join(cwd, '-'))).toBe(false);
  });

  it('refuses a business or category the ledger has no events for, naming the known ones', async () => {
    const business = await runCli(['export', '--columns', 'all', '--business', 'Demo shop'], env);
    expect(business).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'optin-ivr: --business "Demo shop" has no events in the ledger (known: "Demo Shop", "Other Shop")\n',
    });
    const category = await runCli(
      ['export', '--columns', 'all', '--business', 'Other Shop', '--category', 'marketing'],
      env,
    );
    expect(category).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'optin-ivr: --category "marketing" has no events for "Other Shop" in the ledger (known: utility)\n',
    });
    const known = await runCli(
      ['export', '--columns', 'all', '--business', 'Demo Shop', '--category', 'marketing'],
      env,
    );
    expect(known.code).toBe(0);
    expect(seqs(known.stdout)).toEqual(rows.filter((r) => r.category === 'marketing').map((r) => r.seq));
  });

  it('writes spreadsheet-safe CSV of every event to stdout, oldest first, and nothing else', async () => {
    const run = await runCli(['export', '--columns', 'all'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(seqs(run.stdout)).toEqual(rows.map((r) => r.seq));
    expect(run.stdout).toContain(",'+14155550123,");
  });

  it('exports one month: a date-only --until includes that whole day', async () => {
    const run = await runCli(['export', '--columns', 'all', '--since', '2026-11-01', '--until', '2026-11-30'], env);
    expect(seqs(run.stdout)).toEqual([3, 4, 5]);
    const month = await runCli(['export', '--columns', 'all', '--since', '2026-11', '--until', '2026-11'], env);
    expect(month.stdout).toBe(run.stdout);
  });

  it('filters by decision, category, business and a phone in any notation', async () => {
    expect(
      seqs(
        (await runCli(['export', '--columns', 'all', '--decision', 'opt_in', '--category', 'marketing'], env)).stdout,
      ),
    ).toEqual([2]);
    expect(seqs((await runCli(['export', '--columns', 'all', '--business', 'Other Shop'], env)).stdout)).toEqual([5]);
    expect(seqs((await runCli(['export', '--columns', 'all', '--phone', '+49 151 1234 5678'], env)).stdout)).toEqual([
      3, 4,
    ]);
    expect(
      seqs((await runCli(['export', '--columns', 'all', '--phone', '0151 12345678', '--country', 'DE'], env)).stdout),
    ).toEqual([3, 4]);
  });

  it('writes an empty export as a header alone when nothing matches', async () => {
    // A period with no events: a known business and category in it, none recorded then.
    const run = await runCli(['export', '--columns', 'all', '--business', 'Demo Shop', '--since', '2027-01'], env);
    expect(run.code).toBe(0);
    expect(seqs(run.stdout)).toEqual([]);
    expect(run.stdout.startsWith('seq,recorded_at,')).toBe(true);
  });

  it('writes an xlsx workbook to --out that exceljs reads back with the same rows', async () => {
    const out = join(ledger.dir, 'events.xlsx');
    const run = await runCli(['export', '--columns', 'all', '--format', 'xlsx', '--out', out], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`exported ${rows.length} events to ${out}\n`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.getColumn(1).values.slice(2)).toEqual(rows.map((r) => String(r.seq)));
    expect(sheet.getColumn(EXPORT_COLUMNS.indexOf('hash') + 1).values.slice(2)).toEqual(rows.map((r) => r.hash));
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('writes jsonl that verify --file accepts, and a BOM-prefixed raw CSV when asked', async () => {
    const jsonl = join(ledger.dir, 'events.jsonl');
    expect((await runCli(['export', '--columns', 'all', '--format', 'jsonl', '--out', jsonl], env)).code).toBe(0);
    expect(
      readFileSync(jsonl, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(asExported(rows));
    const raw = await runCli(['export', '--columns', 'all', '--raw', '--bom'], env);
    expect(raw.stdout.startsWith('\uFEFFseq,')).toBe(true);
    expect(raw.stdout).toContain(',+14155550123,');
  });

  it.each([
    [['--since', '2026-11-31'], '--since "2026-11-31" is not a date on the calendar'],
    [['--until', 'last month'], '--until "last month" is not a date'],
    [['--until', '9999-12'], '--until "9999-12" is outside the years 1970 to 9998'],
    [['--since', '0050-01'], '--since "0050-01" is outside the years 1970 to 9998'],
    [['--since', '2026-11-01T10:00'], '--since "2026-11-01T10:00" has no time zone'],
    [['--decision', 'yes'], '--decision "yes" is not one of opt_in, declined, opt_out'],
    [['--phone', '12'], '--phone "12" is not a valid phone number'],
    [['--format', 'pdf'], '--format "pdf" is not one of csv, jsonl, xlsx, iso27560'],
    [['--format', 'jsonl', '--bom'], '--bom applies to csv only'],
    [['--out', '/no/such/dir/x.csv'], '--out "/no/such/dir/x.csv": the folder "/no/such/dir" does not exist'],
    [['--sinse', '2026-11-01'], "unknown option '--sinse'"],
    [['--columns', 'wide'], '--columns "wide" is not one of summary, all'],
    [['--columns', 'summary', '--format', 'jsonl'], '--columns summary applies to csv and xlsx only, not jsonl'],
    [['--time-zone', 'Mars/Olympus'], '--time-zone "Mars/Olympus" is not a time zone'],
  ])('refuses %j with one line naming the bad value, and writes nothing', async (args, message) => {
    const run = await runCli(['export', '--columns', 'all', ...args], env);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/^optin-ivr: /);
    expect(run.stderr).toContain(message);
  });

  it('never writes over the database, its -wal/-shm or a link to it, even with --force', async () => {
    const before = readFileSync(ledger.file);
    const link = join(ledger.dir, 'link-to-ledger');
    symlinkSync(ledger.file, link);
    const via = relative(process.cwd(), ledger.file);
    for (const out of [ledger.file, `${ledger.file}-wal`, `${ledger.file}-shm`, link, via]) {
      const run = await runCli(['export', '--columns', 'all', '--out', out, '--force'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`optin-ivr: --out "${out}" is the database itself: choose another file\n`);
      expect(existsSync(`${out}.partial`)).toBe(false);
    }
    expect(readFileSync(ledger.file).equals(before)).toBe(true);
    expect((await runCli(['verify'], env)).code).toBe(0);
  });

  it('refuses to replace an existing file unless --force is given', async () => {
    const out = join(ledger.dir, 'kept.csv');
    writeFileSync(out, 'keep me');
    const refused = await runCli(['export', '--columns', 'all', '--out', out], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`optin-ivr: --out "${out}" already exists: give --force to replace it\n`);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await runCli(['export', '--columns', 'all', '--out', out, '--force'], env);
    expect(forced.code).toBe(0);
    expect(seqs(readFileSync(out, 'utf8'))).toEqual(rows.map((r) => r.seq));
  });

  it('refuses an --out whose folder is a file in one line, not with a raw ENOTDIR', async () => {
    const notDir = join(ledger.dir, 'plain-file');
    writeFileSync(notDir, 'x');
    const out = join(notDir, 'events.csv');
    const run = await runCli(['export', '--columns', 'all', '--out', out], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`optin-ivr: --out "${out}": its folder "${notDir}" is not a directory\n`);
  });

  it('refuses a database file that does not exist instead of exporting an empty new one', async () => {
    const missing = join(ledger.dir, 'typo.db');
    const run = await runCli(['export', '--columns', 'all'], { DATABASE_URL: missing });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`optin-ivr: no database at "${missing}": set DATABASE_URL to the ledger's file\n`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('optin-ivr export into a pipe that closes early (`export | head -c 10`)', () => {
  it.each(['xlsx', 'csv', 'jsonl'])('stops quietly for --format %s', async (format) => {
    const big = await tempStore();
    try {
      await addManyEvents(big.store, 5_000);
      const { code, stderr } = await runUntilPipeCloses(['export', '--format', format], { DATABASE_URL: big.file });
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      await big.remove();
    }
  });
});
