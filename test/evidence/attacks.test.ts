import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ledgerFromCalls, tamper } from '../helpers/evidence.js';

const ALICE = '+14155550123';
const BOB = '+14155550124';

let ledger: Awaited<ReturnType<typeof ledgerFromCalls>>;
let env: Record<string, string>;

beforeEach(async () => {
  ledger = await ledgerFromCalls([ALICE, BOB]);
  env = { DATABASE_URL: ledger.file };
});
afterEach(() => ledger.remove());

describe('verify catches the attacks on the file that the hash chain alone misses', () => {
  it('passes the untouched ledger, transcripts included', async () => {
    const run = await runCli(['verify'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^4 events verified, head [0-9a-f]{64}\n$/);
  });

  it('a corrupted consent_events_subscriber index that hides an opt-out', async () => {
    const optOut = await runCli(['revoke', ALICE, '--business', 'Demo Shop', '--reason', 'asked by phone'], env);
    expect(optOut.code).toBe(0);
    // Rewrite the phone number inside the index entries of the two opt-outs (seq 5 and 6), byte for byte in the
    // file: the table rows stay as they were, so the hash chain still holds.
    tamper(ledger.file, 'PRAGMA journal_mode = DELETE');
    let bytes = readFileSync(ledger.file);
    for (const [category, seq] of [
      ['marketing', 5],
      ['utility', 6],
    ] as const) {
      const entry = Buffer.concat([Buffer.from(`${ALICE}Demo Shop${category}`), Buffer.from([seq, seq])]);
      const at = bytes.indexOf(entry);
      expect(at).toBeGreaterThan(0);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from('+1415555099'), bytes.subarray(at + 11)]);
    }
    writeFileSync(ledger.file, bytes);
    // The lie the issue describes: the index answers "may message" for a number that opted out. status says it
    // cannot vouch for that answer.
    const status = await runCli(['status', ALICE, '--json'], env);
    expect(status.stdout).toContain('"may_message": true');
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).ledger).toMatchObject({ verified: false });
    expect(status.stderr).toMatch(
      /^optin-ivr: the ledger is NOT verified, so this answer may be wrong: the database file is damaged/,
    );
    const text = await runCli(['status', ALICE], env);
    expect(text.stdout).toMatch(/^\+14155550123: \(LEDGER NOT VERIFIED - see the warning\)\n/);
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^optin-ivr: the database file is damaged \(SQLite integrity check\): .*consent_events_subscriber/,
    );
  });

  it('dropped append-only triggers', async () => {
    tamper(ledger.file, 'DROP TRIGGER consent_events_no_delete; DROP TRIGGER statements_no_update;');
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'optin-ivr: the schema is not what the migrations made: trigger consent_events_no_delete is missing; trigger statements_no_update is missing\n',
    );
  });

  it('a trigger rewritten to let deletes through, and an extra index', async () => {
    tamper(
      ledger.file,
      `DROP TRIGGER consent_events_no_delete;
       CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events WHEN 0 BEGIN SELECT 1; END;
       CREATE INDEX sneaky ON calls(from_number);`,
    );
    const run = await runCli(['verify'], env);
    expect(run.stderr).toBe(
      'optin-ivr: the schema is not what the migrations made: trigger consent_events_no_delete has been changed; index sneaky is not one the migrations made\n',
    );
  });

  it.each([
    [
      'the key pressed',
      `UPDATE call_steps SET digits = '2' WHERE kind = 'key' AND id = (SELECT min(id) FROM call_steps WHERE kind = 'key')`,
    ],
    [
      'the time of a key',
      `UPDATE call_steps SET at = '2026-11-25T09:00:00.000Z' WHERE kind = 'key' AND id = (SELECT min(id) FROM call_steps WHERE kind = 'key')`,
    ],
    [
      'a prompt played',
      `UPDATE call_steps SET statement_sha256 = '${'b'.repeat(64)}' WHERE id = (SELECT min(id) FROM call_steps WHERE kind = 'prompt')`,
    ],
    ['a removed step', `DELETE FROM call_steps WHERE id = (SELECT min(id) FROM call_steps WHERE kind = 'prompt')`],
    ['the call answered', `UPDATE calls SET to_number = '+15005550007'`],
  ])('an edit to calls or call_steps: %s', async (_what, edit) => {
    tamper(ledger.file, edit);
    const run = await runCli(['verify'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^optin-ivr: ledger broken at seq 1: the transcript of call CA[0-9a-f]{32} has been changed: no prefix of its steps up to a key hashes to transcript_sha256 [0-9a-f]{64} \(0 events before it verified\)\n$/,
    );
  });
});
