import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, verifyLedger } from '../../src/db/ledger.js';
import { openStore, writeTransaction } from '../../src/db/store.js';
import { runCli } from '../helpers/cli.js';
import { addManyEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;

beforeAll(async () => {
  ledger = await tempStore();
  await addManyEvents(ledger.store, 5000);
});
afterAll(() => ledger.remove());

describe('optin-ivr backup', () => {
  it('takes a consistent copy while a write is in progress, which opens and verifies', async () => {
    const copy = join(ledger.dir, 'backup.db');
    // A writer holds an open write transaction with one uncommitted event for the whole backup: no timing involved.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const writing = new Promise<void>((resolve) => {
      started = resolve;
    });
    const writer = writeTransaction(ledger.store.db, async (trx) => {
      const rows = await appendEvents(trx, [ivrEvent({ phone_number: '+14155550199' })], {
        recordedAt: '2026-11-28T10:00:00.000Z',
        newId: () => 'written-during-backup',
      });
      started();
      await held;
      return rows;
    });
    await writing;
    const run = await runCli(['backup', copy], { DATABASE_URL: ledger.file });
    release();
    const [late] = await writer;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^backup .+: (\d+) events verified, head ([0-9a-f]{64})\n$/.exec(run.stdout);
    expect(match?.[1]).toBe('5000');

    const restored = openStore(copy);
    try {
      // The copy is the committed ledger: the event still uncommitted while it was taken is not in it.
      const check = await verifyLedger(restored.db);
      expect(check).toMatchObject({ ok: true, count: 5000, head: match?.[2] });
      expect(late?.prev_hash).toBe(match?.[2]);
    } finally {
      await restored.close();
    }
    expect(await verifyLedger(ledger.store.db)).toMatchObject({ ok: true, count: 5001, head: late?.hash });
    // A self-contained file: no -wal beside it to forget when copying it away.
    expect(existsSync(`${copy}-wal`)).toBe(false);
  });

  it('refuses the database itself, its -wal and a link to it, saying so rather than "already exists"', async () => {
    const link = join(ledger.dir, 'link.db');
    symlinkSync(ledger.file, link);
    for (const file of [ledger.file, `${ledger.file}-wal`, link]) {
      const run = await runCli(['backup', file], { DATABASE_URL: ledger.file });
      expect(run).toMatchObject({ code: 1, stderr: `optin-ivr: backup file "${file}" is the database itself\n` });
    }
  });

  it('refuses to overwrite an existing file, and leaves it as it was', async () => {
    const existing = join(ledger.dir, 'existing.db');
    writeFileSync(existing, 'not yours');
    const run = await runCli(['backup', existing], { DATABASE_URL: ledger.file });
    expect(run).toMatchObject({
      code: 1,
      stderr: `optin-ivr: backup file "${existing}" already exists: choose a new name\n`,
    });
    expect(readFileSync(existing, 'utf8')).toBe('not yours');
  });
});
