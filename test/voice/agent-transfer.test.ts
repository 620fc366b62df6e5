import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callTranscript } from '../../src/transcript/transcript.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

let dir: string;
let server: TestServer;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-agent-'));
  cpSync('voice-scripts', dir, { recursive: true });
  // The demo line with an agent: key 0 puts the caller through, and the statement says so.
  const file = join(dir, 'demo.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace('attempts: 3', 'agent:\n  number: "+14155550100"\n  key: "0"\nattempts: 3')
      .replace(
        ' To hear this again, press {repeat}.',
        ' To hear this again, press {repeat}. For a person, press {agent}.',
      )
      .replace(' To stop messages you already receive, press {stop}.', '')
      .replace('      error: >-', '      transfer: Please hold while we put you through.\n      error: >-')
      .replace(/^version: 2$/m, 'version: 2-agent'),
  );
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent key', () => {
  it.each([
    ['at the statement', []],
    ['at the number confirmation', ['1']],
    ['at a category question', ['1', '1']],
  ])(
    'dials the agent %s, records nothing more, and the transcript says the caller was transferred',
    async (_where, before) => {
      server = await startServer({ VOICE_SCRIPTS_DIR: dir });
      const caller = new Caller(server, { from: '+14155550123' });
      await caller.dial();
      for (const key of before) await caller.press(key);
      const eventsBefore = await server.context.store.db.selectFrom('consent_events').selectAll().execute();
      const end = await caller.press('0');
      expect(end.says).toEqual(['Please hold while we put you through.']);
      expect(caller.lastBody).toContain('<Dial>+14155550100</Dial><Hangup/></Response>');
      expect(end.action).toBeUndefined();
      const events = await server.context.store.db.selectFrom('consent_events').selectAll().execute();
      expect(events).toEqual(eventsBefore);
      const transcript = await callTranscript(server.context.store.db, caller.sid);
      expect(transcript?.call.outcome).toBe('transferred');
      expect(transcript?.steps.slice(-3).map((s) => [s.kind, s.prompt_id, s.digits ?? s.detail])).toEqual([
        [
          'key',
          before.length === 0 ? 'statement' : before.length === 1 ? 'confirm_caller_id' : 'category_question',
          '0',
        ],
        ['prompt', 'transfer', null],
        ['transfer', null, '+14155550100'],
      ]);
    },
  );

  it('is just a digit while a number is keyed in', async () => {
    server = await startServer({ VOICE_SCRIPTS_DIR: dir });
    const caller = new Caller(server, { from: 'anonymous' });
    await caller.dial();
    await caller.press('1');
    const confirm = await caller.press('4155550100');
    expect(confirm.says[0]).toMatch(/You entered 4 1 5 5 5 5 0 1 0 0\./);
  });
});
