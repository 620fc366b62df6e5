import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { addManyEvents, tempStore } from '../helpers/ledger.js';
import { TerminalSession } from '../helpers/terminal.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  ledger = await tempStore();
  await addManyEvents(ledger.store, 12_000);
});
afterAll(() => ledger.remove());

describe('optin-ivr export progress', () => {
  it('draws a progress bar in place on a terminal for a large export, and keeps it out of the file', async () => {
    const out = join(ledger.dir, 'events.csv');
    const session = new TerminalSession(['export', '--out', out], { DATABASE_URL: ledger.file });
    expect(await session.exited).toBe(0);
    const screen = session.screen();
    expect(screen).toContain(`exporting [${'#'.repeat(30)}] 100% 12000/12000`);
    expect(screen).toContain(`exported 12000 events to ${out}`);
    // Redrawn on one line, not one line per update.
    expect(session.count('exporting [')).toBe(1);
    expect(readFileSync(out, 'utf8')).not.toContain('exporting');
  });

  it('draws no bar when stderr is not a terminal', async () => {
    const run = await runCli(['export', '--out', join(ledger.dir, 'quiet.csv')], { DATABASE_URL: ledger.file });
    expect(run.stderr).toBe(`exported 12000 events to ${join(ledger.dir, 'quiet.csv')}\n`);
  });
});
