import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

it('stops quietly when the reader of its output goes away (`optin-ivr … | head -1`)', async () => {
  const child = spawn(process.execPath, [BIN, 'simulate', '--db', ':memory:', '--press', '1,1,1'], {
    env: { PATH: process.env.PATH ?? '', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  // Like `head -1`: read the first chunk, then close the pipe.
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code] = await once(child, 'exit');
  expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  expect(code).toBe(0);
});
