import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { scanEvents, scanJsonLines } from '../../src/db/event-scan.js';
import { migrate, openStore } from '../../src/db/store.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { exportEvents } from '../../src/export/write-export.js';

// A ledger with its guards dropped, so a row can hold any value SQLite can: a jsonl export must write each as
// JSON.stringify writes the value read, whoever put it there.
const store = openStore(':memory:');
await migrate(store.db);
for (const { name } of store.sqlite
  .prepare("select name from sqlite_master where type = 'trigger' and tbl_name = 'consent_events'")
  .all() as { name: string }[]) {
  store.sqlite.exec(`drop trigger ${name}`);
}
const insert = store.sqlite.prepare(
  `insert into consent_events (${EXPORT_COLUMNS.join(', ')}) values (${EXPORT_COLUMNS.map(() => '?').join(', ')})`,
);
afterAll(() => store.db.destroy());
beforeEach(() => {
  store.sqlite.exec('delete from consent_events');
});

const SPECIAL = ['"', '\\', '/', '\u0000', '\u0008', '\t', '\n', '\f', '\r', '\u001f', '\u007f', '\u2028', '\u2029'];
// Text as SQLite holds it: well-formed UTF-16 (a lone surrogate is stored as U+FFFD).
const text = fc
  .array(fc.oneof(fc.constantFrom(...SPECIAL, 'ü', '😀', '\ufeff'), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));
const integer = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -1)).map(BigInt);
const NOT_NULL = new Set([
  'event_id',
  'business',
  'channel',
  'category',
  'decision',
  'source',
  'recorded_at',
  'prev_hash',
  'hash',
]);
const INTEGERS = new Set(['attempt', 'signature_verified']);
const anyValueOf = (column: string) => {
  if (column === 'decision') return fc.constantFrom('opt_in', 'declined', 'opt_out');
  if (column === 'source') return fc.constantFrom('ivr', 'agent', 'api');
  const kind = INTEGERS.has(column) ? integer : text;
  return NOT_NULL.has(column) ? kind : fc.oneof(kind, fc.constant(null));
};
const row = fc.tuple(...EXPORT_COLUMNS.filter((c) => c !== 'seq').map(anyValueOf));

function add(rows: unknown[][]): void {
  rows.forEach((values, i) => {
    // seq first, from 1
    const [first, ...rest] = values;
    insert.run(i + 1, first, ...rest);
  });
}

async function jsonl(pageSize = 256): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await exportEvents(store.db, {}, out, { format: 'jsonl' }, { pageSize });
  return Buffer.concat(chunks).toString('utf8');
}

/** The lines as JavaScript writes them from the values a scan reads. */
async function expected(): Promise<string> {
  let lines = '';
  for await (const page of scanEvents(store.db, {}, { columns: EXPORT_COLUMNS })) {
    for (const values of page) {
      lines += `${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, values[i]])))}\n`;
    }
  }
  return lines;
}

describe('a JSON Lines export written by SQLite', () => {
  it('is the text JSON.stringify writes of the values read, for any text, integer and null', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 4 }), async (rows) => {
        store.sqlite.exec('delete from consent_events');
        add(rows.map((r, i) => fixedUnique(r as unknown[], i)));
        expect(await jsonl()).toBe(await expected());
      }),
      { numRuns: 300 },
    );
  });

  it('comes from SQLite as one text per event, not one value per column', async () => {
    add([fixedUnique(fc.sample(row, 1)[0] as unknown[], 0)]);
    const pages: unknown[][] = [];
    for await (const page of scanJsonLines(store.db, {}, { columns: EXPORT_COLUMNS })) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(typeof (pages[0] as unknown[])[0]).toBe('string');
  });

  it('writes a page holding a BLOB or a REAL from the values read, and the pages around it from SQLite', async () => {
    const rows = fc.sample(row, 9).map((r, i) => fixedUnique(r as unknown[], i));
    add(rows);
    const at = (seq: number, column: string, value: unknown) =>
      store.sqlite.prepare(`update consent_events set ${column} = ? where seq = ?`).run(value, seq);
    // 1e300 stays a REAL in an INTEGER column; SQLite writes it 1.0e+300, JSON.stringify 1e+300.
    at(4, 'attempt', 1e300);
    at(8, 'reason', Buffer.from('Demo Shop'));
    const kinds: string[] = [];
    for await (const page of scanJsonLines(store.db, {}, { columns: EXPORT_COLUMNS, pageSize: 3 })) {
      kinds.push(page.map((r) => (typeof r === 'string' ? 'text' : 'values')).join(' '));
    }
    expect(kinds).toEqual(['text text text', 'values values values', 'values values values']);
    const lines = (await jsonl(3)).split('\n');
    expect(lines[3]).toContain('"attempt":1e+300,');
    // A BLOB is read as bytes and written as JSON.stringify writes a Buffer.
    expect(JSON.parse(lines[7] as string).reason).toEqual({ type: 'Buffer', data: [...Buffer.from('Demo Shop')] });
    expect(await jsonl(3)).toBe(await expected());
  });
});

/** A row with its seq-unique columns made unique (event_id, hash). */
function fixedUnique(values: unknown[], i: number): unknown[] {
  const copy = [...values];
  const column = (name: string) => EXPORT_COLUMNS.indexOf(name as never) - 1;
  copy[column('event_id')] = `${String(copy[column('event_id')])}#${i}`;
  copy[column('hash')] = `h${i}`;
  return copy;
}
