import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { runCli } from '../helpers/cli.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, ivrEvent } from '../helpers/ledger.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let env: Record<string, string>;
let caller: Caller;

describe.each(ENGINES)('on %s', (engine) => {
  // Each test starts from the same ledger: one call that agreed to both categories (seq 1 and 2).
  beforeEach(async () => {
    server = await startServer({}, { engine });
    env = { DATABASE_URL: server.dbFile };
    caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
  });
  afterEach(() => server.close());

  describe('optin-ivr status', () => {
    it('shows the consent per business and category with the deciding call, for any notation of the number', async () => {
      const run = await runCli(['status', '(415) 555-0123', '--country', 'US'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        [
          '+14155550123:',
          `  Demo Shop / marketing: opt_in (may message) - seq 2 at ${(await server.context.store.db.selectFrom('consent_events').select('recorded_at').where('seq', '=', 2).executeTakeFirstOrThrow()).recorded_at}, call ${caller.sid}, key 1 at category_question`,
          `  Demo Shop / utility: opt_in (may message) - seq 1 at ${(await server.context.store.db.selectFrom('consent_events').select('recorded_at').where('seq', '=', 1).executeTakeFirstOrThrow()).recorded_at}, call ${caller.sid}, key 1 at statement`,
          '',
        ].join('\n'),
      );
    });

    it('shows a declined number as one not to message, in text and JSON', async () => {
      const decliner = new Caller(server, { from: '+14155550177' });
      await decliner.dial();
      await decliner.press('2');
      const text = await runCli(['status', '+14155550177'], env);
      expect(text.stdout).toMatch(/^ {2}Demo Shop \/ utility: declined \(do not message\) - seq 3 at /m);
      const json = JSON.parse((await runCli(['status', '+14155550177', '--json'], env)).stdout);
      expect(json.consents).toMatchObject([{ category: 'utility', decision: 'declined', may_message: false }]);
    });

    it('answers an unknown number with no consent, not an error', async () => {
      const run = await runCli(['status', '+14155550100'], env);
      expect(run).toMatchObject({ code: 0, stdout: '+14155550100: no consent recorded\n' });
    });

    it('refuses a number it cannot read, in one line', async () => {
      const run = await runCli(['status', '555'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'optin-ivr: phone "555" is not a valid phone number (write it with its country code, e.g. +14155550123, or give a country)\n',
      );
    });
  });

  describe('optin-ivr revoke', () => {
    it('records an agent opt-out for one category, which status then shows', async () => {
      const run = await runCli(
        [
          'revoke',
          '+1 415 555 0123',
          '--business',
          'Demo Shop',
          '--category',
          'marketing',
          '--reason',
          'asked an agent',
        ],
        env,
      );
      expect(run).toMatchObject({
        code: 0,
        stdout: 'recorded opt_out for +14155550123 from Demo Shop: marketing (seq 3)\n',
      });
      const status = JSON.parse((await runCli(['status', '+14155550123', '--json'], env)).stdout);
      expect(status.consents).toMatchObject([
        {
          category: 'marketing',
          decision: 'opt_out',
          may_message: false,
          deciding_event: { seq: 3, source: 'agent', reason: 'asked an agent', call_sid: null },
        },
        { category: 'utility', decision: 'opt_in', may_message: true },
      ]);
      expect(await verifyLedger(server.context.store.db)).toMatchObject({ ok: true, count: 3 });
    });

    it('withdraws every known category when none is given', async () => {
      const run = await runCli(
        ['revoke', '+14155550123', '--business', 'Demo Shop', '--reason', 'STOP on WhatsApp'],
        env,
      );
      expect(run.stdout).toBe('recorded opt_out for +14155550123 from Demo Shop: marketing (seq 3), utility (seq 4)\n');
      const status = JSON.parse((await runCli(['status', '+14155550123', '--json'], env)).stdout);
      expect(status.consents.map((c: { may_message: boolean }) => c.may_message)).toEqual([false, false]);
    });

    it('withdraws a category known only from the ledger too, which no loaded script names any more', async () => {
      await addEvents(server.context.store, [ivrEvent({ category: 'surveys', statement_sha256: null, source: 'api' })]);
      const run = await runCli(['revoke', '+14155550123', '--business', 'Demo Shop', '--reason', 'STOP'], env);
      expect(run.stdout).toBe(
        'recorded opt_out for +14155550123 from Demo Shop: marketing (seq 4), surveys (seq 5), utility (seq 6)\n',
      );
      const status = JSON.parse((await runCli(['status', '+14155550123', '--json'], env)).stdout);
      expect(
        status.consents.map((c: { category: string; may_message: boolean }) => [c.category, c.may_message]),
      ).toEqual([
        ['marketing', false],
        ['surveys', false],
        ['utility', false],
      ]);
    });

    it('trims the business and category as the API does, rather than filing under "  Demo Shop "', async () => {
      const run = await runCli(
        ['revoke', '+14155550123', '--business', '  Demo Shop ', '--category', ' utility ', '--reason', 'x'],
        env,
      );
      expect(run).toMatchObject({
        code: 0,
        stderr: '',
        stdout: 'recorded opt_out for +14155550123 from Demo Shop: utility (seq 3)\n',
      });
      const last = await server.context.store.db
        .selectFrom('consent_events')
        .select(['business', 'category'])
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      expect(last).toEqual({ business: 'Demo Shop', category: 'utility' });
    });

    it.each([
      [['--business', 'Demo shop', '--reason', 'x'], 'unknown business "Demo shop"'],
      [
        ['--business', 'Demo Shop', '--category', 'sms', '--reason', 'x'],
        'unknown category "sms" for "Demo Shop" (known: marketing, utility)',
      ],
      [['--business', 'Demo Shop', '--reason', '  '], 'reason must be 1 to 500 characters'],
      [['--business', 'Demo Shop'], "required option '--reason <text>' not specified"],
    ])('refuses %j in one line and records nothing', async (args, message) => {
      const before = await server.context.store.db.selectFrom('consent_events').select('seq').execute();
      const run = await runCli(['revoke', '+14155550123', ...args], env);
      expect(run.code).not.toBe(0);
      expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(run.stderr).toContain(message);
      expect(await server.context.store.db.selectFrom('consent_events').select('seq').execute()).toEqual(before);
    });
  });
});
