import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { listen } from '../../src/http/listen.js';
import { runCli, startServe } from '../helpers/cli.js';
import { Caller, type TestServer } from '../helpers/server.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('optin-ivr serve', () => {
  it('serves calls on its own database, logs no full number, and stops cleanly on SIGTERM', async () => {
    const db = join(dir, 'data', 'optin.db');
    const { child, url, logs } = await startServe({
      DATABASE_URL: db,
      TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789',
    });
    const caller = new Caller({ url } as TestServer, { from: '+14155550123' });
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok', ledger: { problem: null } });
      await caller.dial();
      for (const key of ['1', '1', '1']) await caller.press(key);
      expect(caller.last?.hangup).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(logs()).toMatch(/"msg":"stopped"/);
    expect(logs()).toMatch(/"phone":"\+1415\*\*\*\*\*23"/);
    expect(logs()).not.toMatch(/4155550123/);
    expect(logs()).toMatch(/"callSid":"CA/);
    // One line per webhook, carrying what it recorded; the writes and the transactions they shared at the end.
    const lines = logs()
      .split('\n')
      .filter((l) => l.includes(caller.sid));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['request', 'request', 'request', 'request']);
    expect(lines.filter((l) => l.includes('"events":[')).length).toBe(2);
    expect(logs()).toMatch(/"writes":4,"commits":[1-4],.*"msg":"stopped"/);
  });

  it('warns when it runs on the development auth token', async () => {
    const { child, logs } = await startServe({ DATABASE_URL: join(dir, 'optin.db') });
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(logs()).toMatch(/TWILIO_AUTH_TOKEN is not set: using the local development token/);
  });

  it('refuses to start with a malformed voice script, naming the file and the field', async () => {
    const scripts = join(dir, 'scripts');
    cpSync('voice-scripts', scripts, { recursive: true });
    const file = join(scripts, 'demo.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('on WhatsApp.', 'by text message.'));
    const result = await runCli(['serve'], {
      VOICE_SCRIPTS_DIR: scripts,
      DATABASE_URL: join(dir, 'optin.db'),
      TWILIO_AUTH_TOKEN: 'secret',
    });
    expect(result.code).toBe(1);
    // Every error, each with its file, line and field, as `scripts check` reports them.
    expect(result.stderr.trim()).toBe(
      `optin-ivr: voice scripts have 1 error(s) (npx optin-ivr scripts check):\n${file}:33: error: languages.0.prompts.statement must say that the messages come on WhatsApp`,
    );
  });

  it('fails with one line when its port is taken', async () => {
    const taken = await listen(() => {}, { host: '127.0.0.1', port: 0 });
    try {
      const result = await runCli(['serve'], {
        PORT: new URL(taken.url).port,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DATABASE_URL: join(dir, 'optin.db'),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^optin-ivr: .*EADDRINUSE.*\n$/);
    } finally {
      await taken.close();
    }
  });

  it('refuses to start in production without a Twilio auth token', async () => {
    const result = await runCli(['serve'], { NODE_ENV: 'production', DATABASE_URL: join(dir, 'optin.db') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^optin-ivr: invalid configuration: TWILIO_AUTH_TOKEN is required/);
  });

  it('refuses a DATABASE_URL it cannot use', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unsupported DATABASE_URL "mysql:\/\/localhost\/x"/);
  });
});

describe('optin-ivr migrate', () => {
  it('creates the schema once and then reports it up to date', async () => {
    const env = { DATABASE_URL: join(dir, 'optin.db') };
    const first = await runCli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /applied 8 migration\(s\) to .*: 2026-11-25-001-ledger, 2026-11-25-002-idempotency-keys, 2026-11-25-003-insert-guards, 2026-11-28-011-script-versions, 2026-11-28-013-desk, 2026-11-28-014-write-probe, 2026-11-28-016-evidence, 2026-11-29-200-chain-id/,
    );
    const second = await runCli(['migrate'], env);
    expect(second.stdout).toMatch(/is up to date/);
  });

  it('exits non-zero on an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('what the command tells about itself', () => {
  it('prints its version with --version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('lists every environment variable it reads in serve --help', async () => {
    const result = await runCli(['serve', '--help']);
    expect(result.code).toBe(0);
    for (const v of CONFIG_VARIABLES) expect(result.stdout).toContain(`  ${v.name}`);
    expect(result.stdout).toMatch(/PUBLIC_BASE_URL +the base URL Twilio uses/);
  });
});
