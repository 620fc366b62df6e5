import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { openNote, parseCheckpointText, parseVerifier } from '../../src/evidence/signed-note.js';
import { listen } from '../../src/http/listen.js';
import { runCli } from '../helpers/cli.js';
import { addEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
let env: Record<string, string>;
let key: string;

beforeEach(async () => {
  ledger = await tempStore();
  env = { DATABASE_URL: ledger.file };
  for (let i = 0; i < 5; i += 1) await addEvents(ledger.store, [ivrEvent({ phone_number: `+1415555012${i}` })]);
  key = join(ledger.dir, 'line.key');
  const made = await runCli(['keys', 'generate', '--out', key, '--name', 'ivr.example.com/consent'], env);
  expect(made.code).toBe(0);
});
afterEach(() => ledger.remove());

/** Deletes or rewrites as a careful forger would: triggers dropped, then put back exactly as they were. */
function forge(statements: (raw: SQLite.Database) => void): void {
  const raw = new SQLite(ledger.file);
  const triggers = raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    sql: string;
  }[];
  for (const t of triggers) raw.exec(`DROP TRIGGER ${t.name}`);
  statements(raw);
  for (const t of triggers) raw.exec(t.sql);
  raw.close();
}

describe('signed checkpoints', () => {
  it('keys generate writes a private key only its owner can read and a public key in signed-note form', () => {
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(
      /^PRIVATE\+KEY\+ivr\.example\.com\/consent\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/,
    );
    expect(parseVerifier(readFileSync(`${key}.pub`, 'utf8')).name).toBe('ivr.example.com/consent');
  });

  it('refuses to overwrite a key', async () => {
    const again = await runCli(['keys', 'generate', '--out', key], env);
    expect(again).toMatchObject({
      code: 1,
      stderr: `optin-ivr: --out: "${key}" already exists; a signing key is never overwritten\n`,
    });
  });

  it('signs the head as a C2SP checkpoint: origin, size, base64 root, a blank line, an Ed25519 signature line', async () => {
    const run = await runCli(['checkpoint', '--key', key], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ivr\.example\.com\/consent\n5\n[A-Za-z0-9+/]{43}=\n\n\u2014 ivr\.example\.com\/consent [A-Za-z0-9+/]{91}=\n$/,
    );
    const verifier = parseVerifier(readFileSync(`${key}.pub`, 'utf8'));
    const opened = openNote(run.stdout, verifier);
    expect(opened.verified).toBe(true);
    expect(parseCheckpointText(opened.text).size).toBe(5);
    // One changed byte of the body and the signature no longer holds.
    expect(openNote(run.stdout.replace('\n5\n', '\n4\n'), verifier).verified).toBe(false);
  });

  it('verify --checkpoint passes while the ledger grows, and catches a tail deleted after the checkpoint', async () => {
    const file = join(ledger.dir, 'cp-5.txt');
    expect((await runCli(['checkpoint', '--key', key, '--out', file], env)).code).toBe(0);
    await addEvents(ledger.store, [ivrEvent({ decision: 'opt_out', phone_number: '+14155550124' })]);
    const grown = await runCli(['verify', '--checkpoint', file, '--key', `${key}.pub`], env);
    expect(grown.stdout).toBe(
      `6 events verified, head ${(await ledger.store.db.selectFrom('consent_events').select('hash').where('seq', '=', 6).executeTakeFirstOrThrow()).hash}\n1 checkpoint(s) still a prefix of the ledger, signatures checked\n`,
    );
    await ledger.store.close();
    forge((raw) => raw.exec('DELETE FROM consent_events WHERE seq >= 5'));
    expect((await runCli(['verify'], env)).code).toBe(0);
    const run = await runCli(['verify', '--checkpoint', file], env);
    expect(run).toMatchObject({
      code: 1,
      stderr: `optin-ivr: checkpoint ${file} signed 5 events, but the ledger now holds 4: events 5..5 were removed\n`,
    });
  });

  it('verify --checkpoint catches a rewritten history even when every hash was recomputed', async () => {
    const file = join(ledger.dir, 'cp.txt');
    await runCli(['checkpoint', '--key', key, '--out', file], env);
    await ledger.store.close();
    forge((raw) => {
      raw.exec(`UPDATE consent_events SET decision = 'opt_out' WHERE seq = 2`);
      let prev = GENESIS_HASH;
      for (const row of raw.prepare('SELECT * FROM consent_events ORDER BY seq').all() as ConsentEvent[]) {
        const hash = eventHash(prev, { ...row, prev_hash: prev });
        raw.prepare('UPDATE consent_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq);
        prev = hash;
      }
    });
    expect((await runCli(['verify'], env)).code).toBe(0);
    const run = await runCli(['verify', '--checkpoint', file], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^optin-ivr: the first 5 events are not the ones checkpoint .* signed \(root .*\): history was rewritten\n$/,
    );
  });

  it('verify --checkpoint with --key refuses a checkpoint signed by another key', async () => {
    const file = join(ledger.dir, 'cp.txt');
    await runCli(['checkpoint', '--key', key, '--out', file], env);
    const other = join(ledger.dir, 'other.key');
    await runCli(['keys', 'generate', '--out', other, '--name', 'ivr.example.com/consent'], env);
    const run = await runCli(['verify', '--checkpoint', file, '--key', `${other}.pub`], env);
    expect(run).toMatchObject({
      code: 1,
      stderr: `optin-ivr: checkpoint ${file} is not signed by the key ivr.example.com/consent\n`,
    });
  });

  it('checkpoint --post sends the signed note as text/plain, and fails on a refusal', async () => {
    const received: { type: string | undefined; body: string }[] = [];
    let answer = 204;
    const server = await listen(
      (req, res) => {
        let body = '';
        req.on('data', (d) => {
          body += d;
        });
        req.on('end', () => {
          received.push({ type: req.headers['content-type'], body });
          res.writeHead(answer).end();
        });
      },
      { host: '127.0.0.1', port: 0 },
    );
    const url = `${server.url}/add`;
    try {
      const run = await runCli(['checkpoint', '--key', key, '--post', url], env);
      expect(run).toMatchObject({ code: 0, stderr: `checkpoint of 5 events posted to ${url}\n` });
      expect(received[0]?.type).toBe('text/plain; charset=utf-8');
      expect(received[0]?.body).toMatch(/^ivr\.example\.com\/consent\n5\n/);
      answer = 500;
      const refused = await runCli(['checkpoint', '--key', key, '--post', url], env);
      expect(refused).toMatchObject({
        code: 1,
        stderr: `optin-ivr: posting the checkpoint to ${url} failed: 500 Internal Server Error\n`,
      });
    } finally {
      await server.close();
    }
  });

  it('refuses a missing key file and a private key given where the public one belongs', async () => {
    expect((await runCli(['checkpoint', '--key', join(ledger.dir, 'nope')], env)).stderr).toMatch(
      /^optin-ivr: --key: no key file at/,
    );
    const run = await runCli(['verify', '--checkpoint', key, '--key', key], env);
    expect(run.stderr).toBe('optin-ivr: --key: give the public key, not the private one\n');
  });
});
