import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findDeskUser } from '../../src/db/desk-users.js';
import { openStore } from '../../src/db/store.js';
import { verifyPassword } from '../../src/desk/password.js';
import { runCli } from '../helpers/cli.js';
import { TerminalSession } from '../helpers/terminal.js';

// Each `users add` hashes at the production scrypt cost (128 MiB): slow on a busy machine, by design.
vi.setConfig({ testTimeout: 120_000 });

let dir: string;
let env: Record<string, string>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'optin-users-'));
  env = { DATABASE_URL: join(dir, 'optin.db') };
  expect((await runCli(['migrate'], env)).code).toBe(0);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function storedHash(name: string): Promise<string | undefined> {
  const store = openStore(env.DATABASE_URL as string, { readonly: true });
  try {
    return (await findDeskUser(store.db, name))?.password_hash;
  } finally {
    await store.close();
  }
}

describe('optin-ivr users', () => {
  it('adds, lists, changes the password of and removes desk users, keeping only a scrypt hash', async () => {
    const add = await runCli(['users', 'add', 'maria.lopez', '--password-stdin'], env, 'a long enough secret\n');
    expect(add).toMatchObject({ code: 0, stdout: 'added desk user maria.lopez\n' });
    const hash = (await storedHash('maria.lopez')) as string;
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('a long enough secret');
    expect(await verifyPassword('a long enough secret', hash)).toBe(true);

    const list = await runCli(['users', 'list'], env);
    expect(list.stdout).toMatch(/^maria\.lopez\tadded \d{4}-\d\d-\d\dT[\d:.]+Z\tpassword set /);

    const passwd = await runCli(['users', 'passwd', 'maria.lopez', '--password-stdin'], env, 'another long secret');
    expect(passwd).toMatchObject({ code: 0, stdout: 'password of maria.lopez changed; their sessions have ended\n' });
    expect(await verifyPassword('another long secret', (await storedHash('maria.lopez')) as string)).toBe(true);

    const remove = await runCli(['users', 'remove', 'maria.lopez'], env);
    expect(remove.stdout).toBe(
      'removed desk user maria.lopez and ended their sessions; no desk users are left, so /desk answers 404\n',
    );
    expect(await storedHash('maria.lopez')).toBeUndefined();
  });

  it('refuses what it cannot do with one line and a non-zero exit, changing nothing', async () => {
    const cases: [string[], string | undefined, string][] = [
      [
        ['users', 'add', 'maria', '--password-stdin'],
        'short\n',
        'optin-ivr: --password-stdin: a password needs at least 12 characters\n',
      ],
      [
        ['users', 'add', 'maria'],
        undefined,
        'optin-ivr: no terminal to ask for the password: pipe it in with --password-stdin\n',
      ],
      [
        ['users', 'add', '<b>x', '--password-stdin'],
        'a long enough secret',
        'optin-ivr: user name "<b>x" must be 1 to 64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit\n',
      ],
      [['users', 'remove', 'nobody'], undefined, 'optin-ivr: no desk user "nobody"\n'],
      [['users', 'passwd', 'nobody', '--password-stdin'], 'a long enough secret', 'optin-ivr: no desk user "nobody"\n'],
    ];
    for (const [args, input, stderr] of cases) {
      const result = await runCli(args, env, input ?? '');
      expect(result, args.join(' ')).toMatchObject({ code: 1, stderr });
    }
    await runCli(['users', 'add', 'maria', '--password-stdin'], env, 'a long enough secret');
    const twice = await runCli(['users', 'add', 'maria', '--password-stdin'], env, 'a long enough secret');
    expect(twice.stderr).toBe('optin-ivr: desk user "maria" exists already: use `optin-ivr users passwd maria`\n');
  });

  it('asks a person for the password twice without showing it', async () => {
    const term = new TerminalSession(['users', 'add', 'maria'], env);
    await term.waitFor('Password for maria');
    term.type('typed in secret\r');
    await term.waitFor('The same password again');
    term.type('typed in secret\r');
    expect(await term.exited).toBe(0);
    expect(term.screen()).toContain('added desk user maria');
    expect(term.screen()).not.toContain('typed in secret');
    expect(await verifyPassword('typed in secret', (await storedHash('maria')) as string)).toBe(true);
  });
});
