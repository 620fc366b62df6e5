import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorRun } from '../../src/simulator/transcript.js';
import { runCli, startServe } from '../helpers/cli.js';

// `serve` answers calls on a thread of its own by default (CALL_THREAD): a whole call walked over HTTP against the
// built server, with and without it, and what it says when it starts and stops.

const TOKEN = 'served-token-123456';
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function walkOneCall(env: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'optin-serve-thread-'));
  const file = join(dir, 'optin.db');
  const server = await startServe({ DATABASE_URL: file, TWILIO_AUTH_TOKEN: TOKEN, ...env });
  const { code, stdout } = await runCli(
    ['simulate', '--url', server.url, '--token', TOKEN, '--db', file, '--press', '1,1,1', '--json'],
    { CI: 'true' },
  );
  server.child.kill('SIGTERM');
  const [exit] = await once(server.child, 'exit');
  const lines = server
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, run: JSON.parse(stdout) as SimulatorRun, exit, lines };
}

describe('optin-ivr serve: the call thread', () => {
  for (const [setting, onThread] of [
    ['default', true],
    ['false', false],
  ] as const) {
    it(`CALL_THREAD ${setting}: takes a whole call, and counts its writes when it stops`, async () => {
      const { code, run, exit, lines } = await walkOneCall(setting === 'default' ? {} : { CALL_THREAD: setting });
      expect(code).toBe(0);
      expect(run.events?.map((e) => [e.decision, e.category])).toEqual([
        ['opt_in', 'utility'],
        ['opt_in', 'marketing'],
      ]);
      expect(exit).toBe(0);
      expect(lines.find((l) => l.msg === 'optin-ivr is listening')).toMatchObject({ callThread: onThread });
      // Incoming, three turns and the status callback: five writes, whichever thread made them.
      expect(lines.find((l) => l.msg === 'stopped')).toMatchObject({ writes: 5 });
    });
  }
});
