import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/db/event-query.js';
import type * as InWorker from '../../src/export/export-in-worker.js';
import { statementTexts } from '../../src/export/statement-texts.js';
import { type ExportOptions, exportEvents } from '../../src/export/write-export.js';
import { addManyEvents, tempStore } from '../helpers/ledger.js';

// The worker thread runs compiled code: this suite loads the build that `npm test` makes first (pretest).
const { exportInWorker, canExportInWorker } = (await import(
  '../../dist/export/export-in-worker.js' as string
)) as typeof InWorker;

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  ledger = await tempStore();
  await addManyEvents(ledger.store, 3000);
});
afterEach(() => ledger.remove());

function collected(): { out: PassThrough; bytes: () => Buffer } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, bytes: () => Buffer.concat(chunks) };
}

describe('an export formatted in a worker thread', () => {
  it('is possible for a ledger file, and not for one in memory', () => {
    expect(canExportInWorker(ledger.file)).toBe(true);
    expect(canExportInWorker(':memory:')).toBe(false);
  });

  it.each<[string, ExportOptions, EventFilter]>([
    ['summary csv', { format: 'csv', timeZone: 'Europe/Berlin', bom: true }, { category: 'utility' }],
    ['jsonl', { format: 'jsonl' }, {}],
    ['iso27560', { format: 'iso27560' }, { since: '2026-10-01T00:10:00.000Z' }],
  ])('writes the same bytes as in this thread: %s', async (_, options, filter) => {
    const here = collected();
    // The worker reads statements through its own connection, as this thread does here.
    const statementText = statementTexts(ledger.store.db);
    const rowsHere = await exportEvents(ledger.store.db, filter, here.out, { ...options, statementText });
    const there = collected();
    const rowsThere = await exportInWorker({ file: ledger.file, filter, options }, there.out);
    expect(rowsThere).toBe(rowsHere);
    expect(there.bytes().equals(here.bytes())).toBe(true);
  });

  it('stops, with the cause, when its output goes away', async () => {
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, done) {
        setImmediate(() => (out.destroyed ? undefined : out.destroy()));
        done();
      },
    });
    await expect(exportInWorker({ file: ledger.file, filter: {}, options: { format: 'jsonl' } }, out)).rejects.toThrow(
      'closed before the export was complete',
    );
  });
});
