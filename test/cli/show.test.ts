import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transcript } from '../../src/transcript/transcript.js';
import { runCli } from '../helpers/cli.js';
import { ENGINES } from '../helpers/engines.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let env: Record<string, string>;
let caller: Caller;
let heard: string[];

describe.each(ENGINES)('on %s', (engine) => {
  beforeAll(async () => {
    server = await startServer({}, { engine });
    env = { DATABASE_URL: server.dbFile };
    caller = new Caller(server, { from: '+14155550123', sid: `CA${'0123456789abcdef'.repeat(2)}` });
    heard = [...(await caller.dial()).says];
    for (const key of ['1', '1', '2']) heard.push(...(await caller.press(key)).says);
    await caller.hangUp();
  });
  afterAll(() => server.close());

  describe('optin-ivr show', () => {
    it('prints each prompt in the exact words the caller heard, each key, and the events', async () => {
      const run = await runCli(['show', caller.sid], env);
      expect(run.code).toBe(0);
      for (const said of heard) expect(run.stdout).toContain(said);
      expect(run.stdout).toMatch(/key {3}1 \(at statement\)/);
      expect(run.stdout).toMatch(/key {3}2 \(at category_question\)/);
      expect(run.stdout).toMatch(/status completed/);
      expect(run.stdout).toMatch(/seq 1 \S+ opt_in Demo Shop \/ utility for \+14155550123 \(caller_id\)/);
      expect(run.stdout).toMatch(/seq 2 \S+ declined Demo Shop \/ marketing/);
    });

    it('finds the call by the 8-digit reference the caller heard, and prints JSON on request', async () => {
      const { ledger, ...json } = JSON.parse(
        (await runCli(['show', caller.sid, '--json'], env)).stdout,
      ) as Transcript & {
        ledger: { verified: boolean };
      };
      expect(ledger.verified).toBe(true);
      const byReference = await runCli(['show', json.call.reference, '--json'], env);
      expect({ ...JSON.parse(byReference.stdout), ledger: undefined }).toEqual({ ...json, ledger: undefined });
      expect(json.steps.filter((s) => s.kind === 'prompt').map((s) => s.text)).toEqual(heard);
      expect(json.events.map((e) => e.decision)).toEqual(['opt_in', 'declined']);
    });

    it('says which language the caller chose at the language menu', async () => {
      const german = new Caller(server, { from: '+14155550124', to: '+15005550010' });
      await german.dial();
      await german.press('2');
      await german.press('2');
      const run = await runCli(['show', german.sid], env);
      expect(run.stdout).toMatch(/script demo-multilingual v1, de-DE;/);
      expect(run.stdout).toMatch(
        /key {3}2 \(at language_menu\)\n\S+ {2}language chosen: de-DE\n\S+ {2}said {2}statement: Guten Tag/,
      );
    });

    it('finds the call when the CallSid is written in upper case', async () => {
      const run = await runCli(['show', `CA${'0123456789ABCDEF'.repeat(2)}`, '--json'], env);
      expect(run.stderr).toBe('');
      expect((JSON.parse(run.stdout) as Transcript).call.call_sid).toBe(caller.sid);
    });

    it('refuses what is not a call, and a call it does not have, in one line', async () => {
      expect((await runCli(['show', 'CA123'], env)).stderr).toBe(
        'optin-ivr: call "CA123" is neither a CallSid (CA and 32 hex digits) nor an 8-digit reference\n',
      );
      const unknown = `CA${'f'.repeat(32)}`;
      const run = await runCli(['show', unknown], env);
      expect(run).toMatchObject({ code: 1, stderr: `optin-ivr: no call ${unknown} in the ledger\n` });
    });
  });
});
