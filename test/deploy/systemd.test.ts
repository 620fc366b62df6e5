import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DEPLOY = join(import.meta.dirname, '../../deploy');
const UNITS = ['optin-ivr.service', 'optin-ivr-backup.service', 'optin-ivr-backup.timer'];

function systemdAnalyze(args: string[]) {
  const result = spawnSync('systemd-analyze', args, { cwd: DEPLOY, encoding: 'utf8' });
  if (result.error) throw new Error(`systemd-analyze could not run (${result.error.message}): install systemd`);
  return result;
}

/** `Key=value` lines of a unit file (the last one wins, as in systemd, except for lists we do not read). */
function settings(unit: string): Map<string, string> {
  const lines = readFileSync(join(DEPLOY, unit), 'utf8').split('\n');
  return new Map(
    lines.filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('the systemd units in deploy/', () => {
  it('pass systemd-analyze verify without a single complaint', () => {
    const result = systemdAnalyze(['verify', ...UNITS]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('keep the service and the backup at a low exposure level (systemd-analyze security, at most 2.0)', () => {
    for (const unit of ['optin-ivr.service', 'optin-ivr-backup.service']) {
      const result = systemdAnalyze(['security', '--offline=true', '--threshold=20', unit]);
      expect(result.status, `${unit}: ${result.stdout.split('\n').slice(-2).join(' ')}`).toBe(0);
    }
  });

  it('run the server as its own user, restart it on failure, and let it write its data directory only', () => {
    const unit = settings('optin-ivr.service');
    expect(unit.get('User')).toBe('optin-ivr');
    expect(unit.get('Restart')).toBe('on-failure');
    expect(unit.get('ProtectSystem')).toBe('strict');
    expect(unit.get('StateDirectory')).toBe('optin-ivr');
    expect(unit.get('Environment')).toContain('DATABASE_URL=/var/lib/optin-ivr/optin.db');
    expect(unit.get('NoNewPrivileges')).toBe('yes');
    expect(unit.has('ReadWritePaths')).toBe(false);
  });
});
