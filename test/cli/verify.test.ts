import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { runCli } from '../helpers/cli.js';
import { addEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
let rows: ConsentEvent[];
let env: Record<string, string>;

beforeEach(async () => {
  ledger = await tempStore();
  env = { DATABASE_URL: ledger.file };
  for (let i = 0; i < 5; i += 1) {
    await addEvents(ledger.store, [ivrEvent({ phone_number: `+1415555012${i}` })], `2026-11-0${i + 1}T10:00:00.000Z`);
  }
  rows = await allEvents(ledger.store);
});
afterEach(() => ledger.remove());

/** What someone with write access to the file could do: drop the guard triggers and edit the evidence. */
function tamper(sql: string): void {
  const raw = new SQLite(ledger.file);
  raw.exec('DROP TRIGGER consent_events_no_update; DROP TRIGGER consent_events_no_delete;');
  raw.exec(sql);
  raw.close();
}

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('optin-ivr verify', () => {
  it('walks an intact chain: exit 0, the count and the head', async () => {
    const run = await runCli(['verify'], env);
    expect(run).toMatchObject({ code: 0, stdout: `5 events verified, head ${rows[4]?.hash}\n`, stderr: '' });
  });

  it('names the first bad seq when a row was altered in the file with the triggers dropped', async () => {
    tamper(`UPDATE consent_events SET decision = 'opt_in', phone_number = '+14155550199' WHERE seq = 3`);
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    const altered = { ...(rows[2] as ConsentEvent), decision: 'opt_in' as const, phone_number: '+14155550199' };
    const alteredHash = eventHash(altered.prev_hash, altered);
    expect(alteredHash).not.toBe(rows[2]?.hash);
    expect(oneLine(run.stderr)).toBe(
      `optin-ivr: ledger broken at seq 3: hash is ${rows[2]?.hash}, but the row's contents hash to ${alteredHash} (2 events before it verified)`,
    );
  });

  it('names the row whose text was replaced by a BLOB of the same bytes, read without SQLite JSON', async () => {
    // json_object refuses a BLOB: the page holding it is read again and hashed as always.
    tamper(`UPDATE consent_events SET reason = CAST('x' AS BLOB) WHERE seq = 3`);
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      new RegExp(
        `^optin-ivr: ledger broken at seq 3: hash is ${rows[2]?.hash}, but the row's contents hash to [0-9a-f]{64} \\(2 events before it verified\\)$`,
      ),
    );
  });

  it('names the gap when a middle row was deleted', async () => {
    tamper('DELETE FROM consent_events WHERE seq = 2');
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(
      'optin-ivr: ledger broken at seq 3: seq 3 follows seq 1: events 2..2 are missing (1 events before it verified)',
    );
  });

  it('checks that an earlier published head is still in the chain', async () => {
    const published = rows[2]?.hash as string;
    expect((await runCli(['verify', '--expect-head', published], env)).code).toBe(0);
    const foreign = 'a'.repeat(64);
    const run = await runCli(['verify', '--expect-head', foreign], env);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(`optin-ivr: --expect-head ${foreign} is not in the chain`);
    const bad = await runCli(['verify', '--expect-head', 'abc'], env);
    expect(oneLine(bad.stderr)).toBe('optin-ivr: --expect-head "abc" is not a SHA-256 hash (64 hex characters)');
  });

  it('detects a whole-chain rewrite only through the published head', async () => {
    const published = rows[4]?.hash as string;
    // Rewriting every hash consistently (as a forger with the code could) and putting the triggers back as
    // they were leaves a valid-looking store...
    const triggers = new SQLite(ledger.file)
      .prepare("SELECT sql FROM sqlite_master WHERE name IN ('consent_events_no_update', 'consent_events_no_delete')")
      .all() as { sql: string }[];
    tamper(`UPDATE consent_events SET reason = 'rewritten' WHERE seq = 1`);
    const { checkChain, eventHash, GENESIS_HASH } = await import('../../src/db/chain.js');
    const raw = new SQLite(ledger.file);
    let prev = GENESIS_HASH;
    for (const row of raw.prepare('SELECT * FROM consent_events ORDER BY seq').all() as ConsentEvent[]) {
      const hash = eventHash(prev, { ...row, prev_hash: prev });
      raw.prepare('UPDATE consent_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq);
      prev = hash;
    }
    expect(
      await checkChain(raw.prepare('SELECT * FROM consent_events ORDER BY seq').all() as ConsentEvent[]),
    ).toMatchObject({ ok: true });
    for (const { sql } of triggers) raw.exec(sql);
    raw.close();
    expect((await runCli(['verify'], env)).code).toBe(0);
    // ...which the head published before the rewrite exposes.
    expect((await runCli(['verify', '--expect-head', published], env)).code).toBe(1);
  });
});

describe('optin-ivr verify --file', () => {
  async function exported(): Promise<{ file: string; lines: string[] }> {
    const file = join(ledger.dir, 'export.jsonl');
    expect((await runCli(['export', '--format', 'jsonl', '--out', file], env)).code).toBe(0);
    return { file, lines: readFileSync(file, 'utf8').trimEnd().split('\n') };
  }

  it('refuses a directory given as --file in one line, not with a raw EISDIR', async () => {
    const dir = join(ledger.dir, 'exports');
    mkdirSync(dir);
    const run = await runCli(['verify', '--file', dir], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`optin-ivr: --file "${dir}" is a directory\n`);
  });

  it('verifies an exported file on its own, without a database', async () => {
    const { file } = await exported();
    const run = await runCli(['verify', '--file', file], { DATABASE_URL: join(ledger.dir, 'none.db') });
    expect(run).toMatchObject({
      code: 0,
      stdout: `5 events verified, head ${rows[4]?.hash} (from the first event of the ledger)\n`,
    });
  });

  it('names the line of an export cut off mid-line', async () => {
    const { file, lines } = await exported();
    writeFileSync(file, lines.join('\n').slice(0, -30));
    const run = await runCli(['verify', '--file', file], env);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(`optin-ivr: ${file} line 5 is not valid JSON (is the file cut short?)`);
  });

  it('says that only the jsonl export can be verified when given a CSV or xlsx export', async () => {
    for (const format of ['csv', 'xlsx']) {
      const file = join(ledger.dir, `export.${format}`);
      expect((await runCli(['export', '--format', format, '--out', file, '--force'], env)).code).toBe(0);
      const run = await runCli(['verify', '--file', file], env);
      expect(run.code).toBe(1);
      expect(oneLine(run.stderr)).toBe(
        `optin-ivr: ${file} is not a JSON Lines export: only the jsonl export (optin-ivr export --format jsonl) can be verified`,
      );
    }
  });

  it('says that a slice starting mid-chain has an unverified predecessor', async () => {
    const { file, lines } = await exported();
    writeFileSync(file, lines.slice(2).join('\n'));
    const run = await runCli(['verify', '--file', file], env);
    expect(run.stdout).toBe(
      `3 events verified, head ${rows[4]?.hash} (from seq 3, whose predecessor (prev_hash ${rows[1]?.hash}) is not in the file and is unverified)\n`,
    );
  });

  it('finds an export cut at a line end only against the published head', async () => {
    const { file, lines } = await exported();
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    expect((await runCli(['verify', '--file', file], env)).code).toBe(0);
    const run = await runCli(['verify', '--file', file, '--expect-head', rows[4]?.hash as string], env);
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(`is not in the chain (which ends at head ${rows[2]?.hash})`);
  });

  it('names the altered line of an export, and refuses a missing file', async () => {
    const { file, lines } = await exported();
    writeFileSync(file, lines.map((l, i) => (i === 1 ? l.replace('"opt_in"', '"opt_out"') : l)).join('\n'));
    const run = await runCli(['verify', '--file', file], env);
    expect(oneLine(run.stderr)).toMatch(`optin-ivr: ${file}: chain broken at seq 2: hash is`);
    const missing = await runCli(['verify', '--file', join(ledger.dir, 'nope.jsonl')], env);
    expect(oneLine(missing.stderr)).toBe(`optin-ivr: --file "${join(ledger.dir, 'nope.jsonl')}" does not exist`);
  });
});
