import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { openStore } from '../../src/db/store.js';
import { runCli } from '../helpers/cli.js';
import { addEvents, addManyEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;

beforeAll(async () => {
  ledger = await tempStore();
  await addManyEvents(ledger.store, 5000);
});
afterAll(() => ledger.remove());

describe('optin-ivr backup', () => {
  it('takes a consistent copy while events are being written, which opens and verifies', async () => {
    const copy = join(ledger.dir, 'backup.db');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await addEvents(ledger.store, [ivrEvent({ phone_number: '+14155550199' })]);
        written += 1;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const run = await runCli(['backup', copy], { DATABASE_URL: ledger.file });
    writing = false;
    await writer;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(written).toBeGreaterThan(0);
    const match = /^backup .+: (\d+) events verified, head ([0-9a-f]{64})\n$/.exec(run.stdout);
    expect(match).not.toBeNull();

    const restored = openStore(copy);
    try {
      const check = await verifyLedger(restored.db);
      expect(check).toMatchObject({ ok: true, count: Number(match?.[1]), head: match?.[2] });
      expect(check.count).toBeGreaterThanOrEqual(5000);
    } finally {
      await restored.close();
    }
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
