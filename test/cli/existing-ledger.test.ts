import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-existing-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('commands that work on an existing ledger', () => {
  it('refuse an empty file and leave it empty', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    const result = await runCli(['verify'], { DATABASE_URL: file });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `optin-ivr: "${file}" is not an optin-ivr ledger (it has no consent_events table)`,
    );
    expect(statSync(file).size).toBe(0);
  });

  it("refuse another application's database and do not add tables to it", async () => {
    const file = join(dir, 'other.db');
    const other = new SQLite(file);
    other.exec('CREATE TABLE foo (x)');
    other.close();
    const before = readFileSync(file);
    for (const command of [['verify'], ['export'], ['status', '+14155550123'], ['show', `CA${'0'.repeat(32)}`]]) {
      const result = await runCli(command, { DATABASE_URL: file });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/is not an optin-ivr ledger/);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('ask for a migration on a ledger with an older schema, and change nothing', async () => {
    const file = join(dir, 'old.db');
    expect((await runCli(['migrate'], { DATABASE_URL: file })).code).toBe(0);
    const db = new SQLite(file);
    db.exec("DELETE FROM kysely_migration WHERE name = '2026-11-25-003-insert-guards'");
    db.close();
    const result = await runCli(['verify'], { DATABASE_URL: file });
    expect(result.stderr.trim()).toBe(`optin-ivr: "${file}" needs 1 migration(s): run \`optin-ivr migrate\` first`);
    expect(result.code).toBe(1);
  });

  it('read a ledger without changing its journal mode', async () => {
    const file = join(dir, 'ledger.db');
    expect((await runCli(['migrate'], { DATABASE_URL: file })).code).toBe(0);
    const db = new SQLite(file);
    db.pragma('journal_mode = DELETE');
    db.close();
    const result = await runCli(['verify'], { DATABASE_URL: file });
    expect(result.stdout).toMatch(/^0 events verified, head 0{64}/);
    const after = new SQLite(file, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });
});
