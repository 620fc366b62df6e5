import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';

/** The `$ ` lines of the first code block after a heading of a documentation page, as a reader would type them. */
function commandsUnder(page: string, heading: string): string[] {
  const readme = readFileSync(page, 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((l) => l.startsWith('$ '))
    .map((l) => l.slice(2));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-readme-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the documentation, typed as written', () => {
  it('makes a backup with the backup example, in a folder that does not exist yet', async () => {
    const env = { DATABASE_URL: join(dir, 'optin.db') };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const commands = commandsUnder('docs/consent-records.md', '## `backup <file>`');
    expect(commands.some((c) => c.includes('optin-ivr backup'))).toBe(true);
    for (const command of commands) {
      const run = spawnSync('sh', ['-c', command.replaceAll('npx optin-ivr', `"${process.execPath}" "${BIN}"`)], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      });
      expect(run.stderr, command).toBe('');
      expect(run.status, command).toBe(0);
    }
    expect(existsSync(join(dir, 'backups', 'optin-2026-11-25.db'))).toBe(true);
  });
});
