import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSigner, parseVerifier } from '../../src/evidence/signed-note.js';
import { verifyProof } from '../../src/evidence/verify-proof.js';
import { runCli } from '../helpers/cli.js';
import { ledgerFromCalls } from '../helpers/evidence.js';

const ALICE = '+14155550123';
const BOB = '+14155550124';

let ledger: Awaited<ReturnType<typeof ledgerFromCalls>>;
let env: Record<string, string>;
let key: string;
let proofFile: string;
let proofText: string;

beforeAll(async () => {
  ledger = await ledgerFromCalls([ALICE, BOB, '+14155550125']);
  env = { DATABASE_URL: ledger.file };
  key = join(ledger.dir, 'line.key');
  expect((await runCli(['keys', 'generate', '--out', key, '--name', 'ivr.example.com/consent'], env)).code).toBe(0);
  expect((await runCli(['revoke', BOB, '--business', 'Demo Shop', '--reason', 'asked'], env)).code).toBe(0);
  proofFile = join(ledger.dir, 'bob.json');
  const run = await runCli(['prove', BOB, '--key', key, '--out', proofFile], env);
  expect(run).toMatchObject({ code: 0, stderr: `proof of 4 event(s) for ${BOB} written to ${proofFile}\n` });
  proofText = readFileSync(proofFile, 'utf8');
});
afterAll(() => ledger.remove());

describe('optin-ivr prove and verify --proof', () => {
  it('holds the number events, statements, transcript, inclusion proofs and a signed checkpoint, and nothing of anyone else', () => {
    const proof = JSON.parse(proofText);
    expect(proof.events.map((e: { event: { decision: string } }) => e.event.decision)).toEqual([
      'opt_in',
      'opt_in',
      'opt_out',
      'opt_out',
    ]);
    expect(proof.checkpoint).toMatch(/^ivr\.example\.com\/consent\n8\n/);
    expect(proof.transcripts).toHaveLength(1);
    expect(proof.statements.length).toBeGreaterThan(0);
    expect(proof.consent_records).toHaveLength(4);
    // The other callers' numbers, and their calls, appear nowhere.
    for (const other of [ALICE, '+14155550125', ...ledger.sids.filter((_, i) => i !== 1)]) {
      expect(proofText).not.toContain(other);
    }
    expect(proofText).not.toContain('PRIVATE');
  });

  it('verifies with no database, against the published public key', async () => {
    const run = await runCli(['verify', '--proof', proofFile, '--key', `${key}.pub`], {});
    expect(run).toMatchObject({
      code: 0,
      stdout: `${proofFile}: 4 event(s) for ${BOB} verified against a checkpoint of 8 events signed by ivr.example.com/consent\n`,
      stderr: '',
    });
    const selfKeyed = await runCli(['verify', '--proof', proofFile], {});
    expect(selfKeyed.code).toBe(0);
    expect(selfKeyed.stderr).toMatch(/checked with the public key inside the file/);
  });

  it.each([
    ['a changed decision', (p: string) => p.replace('"decision": "opt_out"', '"decision": "opt_in"'), /hash is/],
    [
      'a changed key in the transcript',
      (p: string) => p.replace('"digits": "1",\n          "kind": "key"', '"digits": "2",\n          "kind": "key"'),
      /transcript of call/,
    ],
    [
      'changed statement words',
      (p: string) => p.replace(/"text": "([^"]*)Demo Shop/, '"text": "$1Other Shop'),
      /statement .* has been changed/,
    ],
    [
      'another checkpoint root',
      (p: string) => p.replace(/consent\\n8\\n./, 'consent\\n8\\nA'),
      /not signed by the key/,
    ],
  ])('fails on %s', async (_what, change, message) => {
    const changed = change(proofText);
    expect(changed).not.toBe(proofText);
    const file = join(ledger.dir, 'changed.json');
    writeFileSync(file, changed);
    const run = await runCli(['verify', '--proof', file, '--key', `${key}.pub`], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it('fails for any single changed byte of the events, proofs, statements, transcript or checkpoint', () => {
    const verifier = parseVerifier(readFileSync(`${key}.pub`, 'utf8'));
    expect(verifyProof(proofText, verifier).ok).toBe(true);
    const proof = JSON.parse(proofText);
    // The evidence an auditor relies on: every string value under these keys (the derived consent records and
    // the file's own copy of the public key aside).
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (typeof value === 'string' && value.length > 0) paths.push(path);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      }
    };
    for (const section of ['events', 'statements', 'transcripts', 'checkpoint']) walk(proof[section], [section]);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.nat(), fc.integer({ min: 1, max: 0x7e }), (which, where, xor) => {
        const changed = structuredClone(proof);
        const path = paths[which] as string[];
        let holder = changed;
        for (const k of path.slice(0, -1)) holder = holder[k];
        const last = path.at(-1) as string;
        const text = holder[last] as string;
        const at = where % text.length;
        const code = text.charCodeAt(at) ^ xor;
        if (code === text.charCodeAt(at) || code < 0x20 || code > 0x7e) return;
        holder[last] = text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
        let ok: boolean;
        try {
          ok = verifyProof(JSON.stringify(changed), verifier).ok;
        } catch {
          ok = false;
        }
        expect(ok, `changed ${path.join('.')} at ${at}`).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fails when base64 is respelled with the unused low bits of its last character set', () => {
    // Node's decoder ignores those bits, so the bytes stay the same: only a canonical-spelling check sees it.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const respell = (b64: string) => {
      const at = b64.replace(/=+$/, '').length - 1;
      const changed = ALPHABET[ALPHABET.indexOf(b64[at] as string) ^ 1] as string;
      const other = b64.slice(0, at) + changed + b64.slice(at + 1);
      expect(Buffer.from(other, 'base64')).toEqual(Buffer.from(b64, 'base64'));
      return other;
    };
    const verifier = parseVerifier(readFileSync(`${key}.pub`, 'utf8'));
    const signature = JSON.parse(proofText);
    const lines = signature.checkpoint.trimEnd().split('\n');
    const last = lines.at(-1) as string;
    const sig = last.slice(last.lastIndexOf(' ') + 1);
    lines[lines.length - 1] = last.slice(0, last.lastIndexOf(' ') + 1) + respell(sig);
    signature.checkpoint = `${lines.join('\n')}\n`;
    expect(() => verifyProof(JSON.stringify(signature), verifier)).toThrow('the signature is not canonical base64');

    const inclusion = JSON.parse(proofText);
    const first = inclusion.events.find((e: { inclusion_proof: string[] }) => e.inclusion_proof.length > 0);
    first.inclusion_proof[0] = respell(first.inclusion_proof[0]);
    const result = verifyProof(JSON.stringify(inclusion), verifier);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain(`event seq ${first.event.seq}: its inclusion proof is not canonical base64`);
  });

  it('fails when the words of a prompt in the transcript are left out', () => {
    const proof = JSON.parse(proofText);
    const prompt = proof.transcripts[0].steps.find((s: { kind: string }) => s.kind === 'prompt');
    proof.statements = proof.statements.filter((s: { sha256: string }) => s.sha256 !== prompt.statement_sha256);
    const result = verifyProof(JSON.stringify(proof), parseVerifier(readFileSync(`${key}.pub`, 'utf8')));
    expect(result.problems).toContain(
      `call ${proof.transcripts[0].call.call_sid}: the words of prompt ${prompt.prompt_id} (${prompt.statement_sha256}) are not in the file`,
    );
  });

  it('refuses a number with no events, and a proof file that is not one', async () => {
    const none = await runCli(['prove', '+14155550199', '--key', key, '--out', join(ledger.dir, 'none.json')], env);
    expect(none).toMatchObject({ code: 1, stderr: 'optin-ivr: no events for +14155550199\n' });
    const junk = join(ledger.dir, 'junk.json');
    writeFileSync(junk, '{"format": "something else"}');
    const run = await runCli(['verify', '--proof', junk], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^optin-ivr: --proof: the proof file is not an optin-ivr-proof\/1 file/);
  });

  it('the signing key file parses back to the same public key', () => {
    const signer = parseSigner(readFileSync(key, 'utf8'));
    expect(parseVerifier(readFileSync(`${key}.pub`, 'utf8')).keyId.equals(signer.keyId)).toBe(true);
  });
});
