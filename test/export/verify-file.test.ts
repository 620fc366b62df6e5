import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { ExportFileError, exportLineSchema, verifyExportFile } from '../../src/export/verify-file.js';
import { exportEvents } from '../../src/export/write-export.js';
import { addEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
let rows: ConsentEvent[];
let lines: string[];

beforeEach(async () => {
  ledger = await tempStore();
  for (let i = 0; i < 6; i += 1) {
    await addEvents(ledger.store, [ivrEvent({ phone_number: `+1415555012${i}` })], `2026-11-0${i + 1}T10:00:00.000Z`);
  }
  rows = await allEvents(ledger.store);
  const file = join(ledger.dir, 'all.jsonl');
  await exportEvents(ledger.store.db, {}, createWriteStream(file), { format: 'jsonl' });
  lines = readFileSync(file, 'utf8').trimEnd().split('\n');
});
afterEach(() => ledger.remove());

function fileOf(content: string): string {
  const file = join(ledger.dir, 'check.jsonl');
  writeFileSync(file, content);
  return file;
}

describe('verifying a JSON Lines export on its own', () => {
  it('reads a line by exactly the columns an export writes, in the same order', () => {
    expect(Object.keys(exportLineSchema.shape)).toEqual([...EXPORT_COLUMNS]);
  });

  it('verifies an intact export from the genesis hash to the head', async () => {
    const result = await verifyExportFile(fileOf(`${lines.join('\n')}\n`));
    expect(result).toMatchObject({ ok: true, count: 6, head: rows[5]?.hash, first: { seq: 1, fromGenesis: true } });
  });

  it('names the seq of a line whose contents were altered', async () => {
    const altered = lines.map((l, i) => (i === 3 ? l.replace('+14155550123', '+14155550199') : l));
    const result = await verifyExportFile(fileOf(altered.join('\n')));
    expect(result).toMatchObject({ ok: false, seq: 4, count: 3 });
    expect(result.ok === false && result.problem).toMatch(/contents hash to/);
  });

  it('names the events missing when a middle line was deleted', async () => {
    const result = await verifyExportFile(fileOf(lines.filter((_, i) => i !== 2).join('\n')));
    expect(result).toMatchObject({ ok: false, seq: 4 });
    expect(result.ok === false && result.problem).toMatch(/events 3\.\.3 are missing/);
  });

  it('reports a file cut off in the middle of a line, with the line number', async () => {
    const cut = `${lines.join('\n')}`.slice(0, -40);
    await expect(verifyExportFile(fileOf(cut))).rejects.toThrow(ExportFileError);
    await expect(verifyExportFile(fileOf(cut))).rejects.toThrow(/line 6 is not valid JSON/);
  });

  it('checks a slice that starts mid-chain from its first event, and says where it starts', async () => {
    const result = await verifyExportFile(fileOf(lines.slice(3).join('\n')));
    expect(result).toMatchObject({
      ok: true,
      count: 3,
      head: rows[5]?.hash,
      first: { seq: 4, prevHash: rows[2]?.hash, fromGenesis: false },
    });
  });

  it('cannot see that whole lines are missing at the end, unless a published head is expected', async () => {
    const short = fileOf(lines.slice(0, 4).join('\n'));
    expect(await verifyExportFile(short)).toMatchObject({ ok: true, count: 4, head: rows[3]?.hash });
    expect(await verifyExportFile(short, { expectHead: rows[5]?.hash as string })).toMatchObject({
      ok: true,
      headFound: false,
    });
    expect(await verifyExportFile(short, { expectHead: rows[1]?.hash as string })).toMatchObject({ headFound: true });
  });

  it('refuses a first line that claims seq 1 but does not start from the genesis hash', async () => {
    const forged = JSON.parse(lines[0] as string) as ConsentEvent;
    forged.prev_hash = 'f'.repeat(64);
    const result = await verifyExportFile(fileOf(JSON.stringify(forged)));
    expect(result).toMatchObject({ ok: false, seq: 1 });
  });

  it('refuses a line that is JSON but not a consent event', async () => {
    await expect(verifyExportFile(fileOf('{"seq": 1}\n'))).rejects.toThrow(/line 1 is not a consent event/);
  });

  it('refuses a line with a key twice, which JSON.parse would read as its last value and others as its first', async () => {
    // The chain still verifies for a reader that keeps the last value; one that keeps the first sees an opt-out.
    const forged = lines.map((l, i) => (i === 2 ? l.replace('{', '{"decision":"opt_out",') : l));
    expect(JSON.parse(forged[2] as string).decision).toBe('opt_in');
    await expect(verifyExportFile(fileOf(`${forged.join('\n')}\n`))).rejects.toThrow(
      /line 3 has the key "decision" twice/,
    );
  });

  it('refuses a repeated key in a line written with other spacing or key order', async () => {
    const spaced = lines.map((l, i) =>
      i === 1 ? l.replace('{', '{ "decision" : "opt_out" , ').replace(/,"/g, ', "') : l,
    );
    await expect(verifyExportFile(fileOf(`${spaced.join('\n')}\n`))).rejects.toThrow(
      /line 2 has the key "decision" twice/,
    );
    const reordered = lines.map((l) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(l)).reverse())));
    expect(await verifyExportFile(fileOf(`${reordered.join('\n')}\n`))).toMatchObject({ ok: true, count: 6 });
  });
});

describe('verifying a large export in two halves at once', async () => {
  // The second half is checked in a worker thread, which runs the build (made before the suite, `pretest`).
  const built = (await import(
    '../../dist/export/verify-file.js' as string
  )) as typeof import('../../src/export/verify-file.js');
  const bothWays = async (file: string, options: { expectHead?: string } = {}) => {
    const halves = await built.verifyExportFile(file, { ...options, halvesFromBytes: 1 });
    expect(halves).toEqual(await verifyExportFile(file, options));
    return halves;
  };

  it('verifies an intact export in two halves, stitched where they meet, as in one piece', async () => {
    const file = fileOf(`${lines.join('\n')}\n`);
    const { size } = await import('node:fs').then((fs) => fs.statSync(file));
    const halves = await built.inTwoHalves(file, size, {});
    expect(halves).toMatchObject({ ok: true, count: 6, head: rows[5]?.hash, first: { seq: 1, fromGenesis: true } });
    expect(halves).toEqual(await verifyExportFile(file));
    for (const [i, found] of [
      [1, true],
      [5, true],
    ] as const) {
      expect(await bothWays(file, { expectHead: rows[i]?.hash as string })).toMatchObject({ headFound: found });
    }
    expect(await bothWays(file, { expectHead: 'f'.repeat(64) })).toMatchObject({ ok: true, headFound: false });
  });

  it('names the first fault as a check in one piece does, wherever the line is: altered, deleted, swapped', async () => {
    for (let i = 0; i < lines.length; i += 1) {
      const altered = lines.map((l, j) => (j === i ? l.replace('+1415555012', '+1415555019') : l));
      const file = fileOf(altered.join('\n'));
      const { size } = await import('node:fs').then((fs) => fs.statSync(file));
      expect(await built.inTwoHalves(file, size, {})).toBeUndefined();
      expect(await bothWays(file)).toMatchObject({ ok: false, seq: i + 1 });
      expect(await bothWays(fileOf(lines.filter((_, j) => j !== i).join('\n')))).toMatchObject({
        ok: i === 0 || i === 5,
      });
    }
    const swapped = [...lines.slice(0, 2), lines[3], lines[2], ...lines.slice(4)] as string[];
    expect(await bothWays(fileOf(swapped.join('\n')))).toMatchObject({ ok: false, seq: 4 });
  });

  it('refuses at the seam what a check in one piece refuses: another chain that goes on with the seq, or the chain going on with a gap in seq', async () => {
    // Lines of one length put the cut (the first line end after the middle byte) after the third line.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    /** Lines 4-6 as events chained on from `prev`, numbered from `seq`, each with a hash that matches. */
    const goingOn = (prev: string, seq: number) =>
      lines.slice(3).map((line, i) => {
        const { hash, ...fields } = JSON.parse(line) as ConsentEvent;
        const event = { ...fields, seq: seq + i, prev_hash: prev };
        prev = eventHash(prev, event);
        return JSON.stringify({ ...event, hash: prev });
      });
    const otherChain = [...lines.slice(0, 3), ...goingOn('a'.repeat(64), 4)];
    expect(await bothWays(fileOf(otherChain.join('\n')))).toMatchObject({ ok: false, seq: 4 });
    const gap = [...lines.slice(0, 3), ...goingOn(rows[2]?.hash as string, 7)];
    expect(await bothWays(fileOf(gap.join('\n')))).toMatchObject({ ok: false, seq: 7 });
  });

  it('reports a line that is not JSON in the second half with its line number in the whole file', async () => {
    const cut = fileOf(`${lines.join('\n')}`.slice(0, -40));
    await expect(built.verifyExportFile(cut, { halvesFromBytes: 1 })).rejects.toThrow(/line 6 is not valid JSON/);
  });
});
