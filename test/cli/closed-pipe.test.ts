import { expect, it } from 'vitest';
import { runUntilPipeCloses } from '../helpers/cli.js';

it('stops quietly when the reader of its output goes away (`optin-ivr … | head -1`)', async () => {
  const { code, stderr } = await runUntilPipeCloses(['simulate', '--db', ':memory:', '--press', '1,1,1'], {
    CI: 'true',
  });
  expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  expect(code).toBe(0);
});
