import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/hash.js';
import { wavSeconds } from '../../src/simulator/espeak.js';
import { runCli } from '../helpers/cli.js';
import { Caller, startServer } from '../helpers/server.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-scripts-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('optin-ivr scripts check', () => {
  it('finds no problem in the bundled scripts and exits 0', async () => {
    const result = await runCli(['scripts', 'check']);
    expect(result).toMatchObject({ code: 0, stdout: 'no problems in 2 script file(s)\n', stderr: '' });
  });

  it('lists every problem with file, line and field, errors apart from warnings, and exits 1 on an error', async () => {
    const result = await runCli([
      'scripts',
      'check',
      'test/scripts/broken/misspelt-statement.yaml',
      'test/scripts/broken/missing-transfer-prompt.yaml',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      'test/scripts/broken/misspelt-statement.yaml:32: error: languages.0.prompts.statement is missing',
      'test/scripts/broken/misspelt-statement.yaml:33: error: languages.0.prompts.statment is not a known field (did you mean statement?)',
      'test/scripts/broken/missing-transfer-prompt.yaml:35: error: languages.0.prompts.transfer is missing: what a caller hears before being put through to +14155550100',
      'test/scripts/broken/missing-transfer-prompt.yaml:36: warning: languages.0.prompts.statement lasts about 21.2 s (60 words at 170 a minute), over the 20 s a caller can follow',
    ]);
    expect(result.stderr).toMatch(/^optin-ivr: 3 error\(s\), 1 warning\(s\) in 2 script file\(s\)\n$/);
  });

  it('exits 0 with warnings only, and turns a long prompt into an error under --max-seconds', async () => {
    const file = join(dir, 'long.yaml');
    writeFileSync(
      file,
      readFileSync('voice-scripts/demo.yaml', 'utf8').replace(
        'To agree, press {agree}.',
        'To agree, press {agree}. Please listen to all of the options before you choose.',
      ),
    );
    const warned = await runCli(['scripts', 'check', file]);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/long\.yaml:33: warning: languages\.0\.prompts\.statement lasts about 22\.6 s/);
    const refused = await runCli(['scripts', 'check', '--max-seconds', '22', file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/long\.yaml:33: error: .* over the maximum of 22 s/);
  });
});

describe('optin-ivr scripts preview', () => {
  it('shows each prompt as heard, its TwiML, its SHA-256 and its estimated duration', async () => {
    const result = await runCli(['scripts', 'preview', 'demo-multilingual', '--lang', 'nl-NL', '--json']);
    expect(result.code).toBe(0);
    const prompts = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(prompts.map((p) => p.prompt)).toEqual([
      'language_menu',
      'statement',
      'invalid_key',
      'no_input',
      'confirm_caller_id',
      'enter_number',
      'invalid_number',
      'confirm_keyed',
      'category_question',
      'thanks',
      'declined',
      'opted_out',
      'no_decision',
      'error',
      'error_partly_saved',
    ]);
    const statement = prompts[1] as { text: string; sha256: string; twiml: string; estimatedSeconds: number };
    expect(statement.text).toMatch(
      /^Welkom bij Demo Shop\. Met uw toestemming sturen wij u berichten over uw bestellingen via WhatsApp\./,
    );
    expect(statement.sha256).toBe(sha256Hex(statement.text));
    expect(statement.twiml).toContain('<Say voice="Polly.Laura-Neural" language="nl-NL">Welkom bij Demo Shop.');
    expect(statement.estimatedSeconds).toBeGreaterThan(15);
    expect(statement.estimatedSeconds).toBeLessThan(20);
    const thanks = prompts[9] as { text: string };
    expect(thanks.text).toContain('berichten over uw bestellingen en aanbiedingen');
    expect(thanks.text).toContain('Uw referentienummer is 1 2 3 4 5 6 7 8.');
  });

  it('gives the statement the SHA-256 that events of a real call cite', async () => {
    const server = await startServer();
    try {
      const caller = new Caller(server, { from: '+14155550123', to: '+15005550010' });
      await caller.dial();
      for (const key of ['2', '2']) await caller.press(key);
      const [event] = await server.context.store.db.selectFrom('consent_events').selectAll().execute();
      const result = await runCli(['scripts', 'preview', 'demo-multilingual', '--lang', 'de-DE', '--json']);
      const statement = (JSON.parse(result.stdout) as { prompt: string; sha256: string }[]).find(
        (p) => p.prompt === 'statement',
      );
      expect(event?.decision).toBe('declined');
      expect(statement?.sha256).toBe(event?.statement_sha256);
    } finally {
      await server.close();
    }
  });

  it('speaks every prompt to a WAV file with espeak-ng and puts the measured length beside the estimate', async () => {
    const wavs = join(dir, 'wav');
    const result = await runCli(['scripts', 'preview', 'demo-multilingual', '--lang', 'de-DE', '--wav', wavs]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const file = join(wavs, 'demo-multilingual-de-DE-statement.wav');
    expect(existsSync(file)).toBe(true);
    const seconds = wavSeconds(readFileSync(file));
    expect(seconds).toBeGreaterThan(5);
    expect(result.stdout).toContain(
      `wav:    ${file} (${Math.round(seconds * 10) / 10} s spoken by espeak-ng, estimate 19.6 s)`,
    );
  });

  it('names the scripts and languages there are when asked for one that is not', async () => {
    expect(await runCli(['scripts', 'preview', 'acme'])).toMatchObject({
      code: 1,
      stderr: 'optin-ivr: no voice script "acme" in voice-scripts (there are: demo-multilingual, demo)\n',
    });
    expect(await runCli(['scripts', 'preview', 'demo', '--lang', 'de-DE'])).toMatchObject({
      code: 1,
      stderr: 'optin-ivr: voice script "demo" has no language "de-DE" (it has: en-US)\n',
    });
  });
});

describe('optin-ivr scripts history', () => {
  it('lists each version with its first and last use, its calls and the events citing it', async () => {
    const db = join(dir, 'optin.db');
    const server = await startServer({ DATABASE_URL: db });
    try {
      for (const from of ['+14155550123', '+14155550124']) {
        const caller = new Caller(server, { from });
        await caller.dial();
        for (const key of ['1', '1', '2']) await caller.press(key);
      }
    } finally {
      await server.close();
    }
    const result = await runCli(['scripts', 'history', 'demo'], { DATABASE_URL: db });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^voice script "demo":\n {2}version 2: first used 2026-11-25T10:00:\d\d\.000Z, last used 2026-11-25T10:00:\d\d\.000Z, 2 call\(s\), 4 event\(s\)\n$/,
    );
    const none = await runCli(['scripts', 'history', 'acme'], { DATABASE_URL: db });
    expect(none).toMatchObject({ code: 0, stdout: 'voice script "acme": no calls in the ledger\n' });
  });
});
