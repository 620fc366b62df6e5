import { afterEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { callSid as twilioCallSid } from '../../src/params/call-id.js';
import { callTranscript } from '../../src/transcript/transcript.js';
import { ENGINES } from '../helpers/engines.js';
import {
  ACCOUNT_SID,
  Caller,
  callSid,
  followRedirect,
  postSigned,
  readTwiml,
  startServer,
  type TestServer,
} from '../helpers/server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function events() {
  return server.context.store.db.selectFrom('consent_events').selectAll().orderBy('seq').execute();
}
async function call(sid: string) {
  return server.context.store.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirstOrThrow();
}

describe('a call through the webhooks', () => {
  it('records two opt_in events for the caller ID after 1, 1, 1 and hangs up', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    const opening = await caller.dial();
    expect(opening.says[0]).toMatch(/Demo Shop.*WhatsApp/);
    expect(opening.gather).toMatchObject({ numDigits: '1', actionOnEmptyResult: 'true', method: 'POST' });
    await caller.press('1');
    await caller.press('1');
    const end = await caller.press('1');
    expect(end.hangup).toBe(true);
    expect(end.action).toBeUndefined();

    const rows = await events();
    expect(rows.map((e) => [e.category, e.decision, e.phone_number, e.number_source, e.source])).toEqual([
      ['utility', 'opt_in', '+14155550123', 'caller_id', 'ivr'],
      ['marketing', 'opt_in', '+14155550123', 'caller_id', 'ivr'],
    ]);
    expect(rows[0]).toMatchObject({
      call_sid: caller.sid,
      account_sid: ACCOUNT_SID,
      called_number: '+15005550006',
      business: 'Demo Shop',
      channel: 'whatsapp',
      script_id: 'demo',
      language: 'en-US',
      signature_verified: 1,
      digits: '1',
      prompt_id: 'statement',
      attempt: 1,
    });
    expect(rows[0]?.recorded_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The statement the caller heard is kept word for word under the hash the event names.
    const statement = await server.context.store.db
      .selectFrom('statements')
      .selectAll()
      .where('sha256', '=', rows[0]?.statement_sha256 as string)
      .executeTakeFirstOrThrow();
    expect(statement.text).toBe(opening.says[0]);
    expect(await verifyLedger(server.context.store.db)).toMatchObject({ ok: true, count: 2 });
    const row = await call(caller.sid);
    expect(row).toMatchObject({ outcome: 'opted_in', designated_number: '+14155550123', number_source: 'caller_id' });
    expect(end.says[0]).toContain(row.reference.split('').join(' '));
  });

  it('asks a caller with a withheld number to key it in, and accepts a corrected number', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: 'anonymous' });
    await caller.dial();
    const ask = await caller.press('1');
    expect(ask.says[0]).toMatch(/key in your mobile number/);
    expect(ask.gather).toMatchObject({ finishOnKey: '#' });
    expect(ask.gather?.numDigits).toBeUndefined();
    const wrong = await caller.press('4155550199');
    expect(wrong.says[0]).toMatch(/You entered 4 1 5 5 5 5 0 1 9 9/);
    expect((await caller.press('2')).says[0]).toMatch(/key in your mobile number/);
    const bad = await caller.press('99');
    expect(bad.says[0]).toMatch(/not a mobile number we can use/);
    await caller.press('4155550123');
    await caller.press('1');
    await caller.press('2');
    expect((await events()).map((e) => [e.category, e.decision, e.phone_number, e.number_source])).toEqual([
      ['utility', 'opt_in', '+14155550123', 'keyed'],
      ['marketing', 'declined', '+14155550123', 'keyed'],
    ]);
  });

  it.each([['restricted'], ['+266696687'], [''], ['client:alice'], ['+442079460018']])(
    'asks for the number when the caller ID is %j (withheld, not a number, or a landline)',
    async (from) => {
      server = await startServer();
      const caller = new Caller(server, { from });
      await caller.dial();
      expect((await caller.press('1')).says[0]).toMatch(/key in your mobile number/);
    },
  );

  it('records declined and says goodbye when the caller presses 2', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    const end = await caller.press('2');
    expect(end.hangup).toBe(true);
    expect(end.says[0]).toMatch(/will not send you WhatsApp messages/);
    expect((await events()).map((e) => [e.category, e.decision, e.number_source])).toEqual([
      ['utility', 'declined', 'caller_id_unconfirmed'],
    ]);
  });

  it('repeats the statement on 9, and explains a wrong key before asking again', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    const opening = await caller.dial();
    expect((await caller.press('9')).says).toEqual(opening.says);
    const wrong = await caller.press('5');
    expect(wrong.says[0]).toBe('Sorry, that key is not one of the options.');
    expect(wrong.says[1]).toBe(opening.says[0]);
    expect(await events()).toEqual([]);
  });

  it('ends the call without consent after three silences', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    expect((await caller.press('')).says[0]).toBe('Sorry, we did not hear a key.');
    await caller.press('');
    const end = await caller.press('');
    expect(end.hangup).toBe(true);
    expect(end.says[0]).toMatch(/nothing has been changed/);
    expect(await events()).toEqual([]);
    expect((await call(caller.sid)).outcome).toBe('no_decision');
  });

  it('records nothing for a wrong key or silence at any step, and only what the right keys decide', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: 'anonymous' });
    const says = async (digits: string) => (await caller.press(digits)).says;
    await caller.dial();
    // The statement, keying in the number, confirming it, the offers question: a wrong answer and a silence each.
    // [wrong key, right key, what is said next, events the right key records]
    const steps: [string, string, string, number][] = [
      ['4', '1', 'Please key in your mobile number', 0],
      ['12', '4155550123', 'You entered 4 1 5 5 5 5 0 1 2 3', 0],
      ['3', '1', 'Would you also like offers', 1],
      ['9', '2', 'Thank you. Demo Shop will send order and delivery updates on WhatsApp', 1],
    ];
    for (const [wrong, right, next, recorded] of steps) {
      expect((await says(wrong))[0]).toMatch(/^Sorry, that (key is not one of the options|is not a mobile number)/);
      expect((await says(''))[0]).toBe('Sorry, we did not hear a key.');
      const before = (await events()).length;
      expect(before).toBe(
        steps
          .slice(
            0,
            steps.findIndex((st) => st[0] === wrong),
          )
          .reduce((n, st) => n + st[3], 0),
      );
      expect((await says(right)).join(' ')).toContain(next);
      expect((await events()).length - before).toBe(recorded);
    }
    expect((await events()).map((e) => [e.category, e.decision, e.phone_number, e.number_source, e.attempt])).toEqual([
      ['utility', 'opt_in', '+14155550123', 'keyed', 3],
      ['marketing', 'declined', '+14155550123', 'keyed', 3],
    ]);
    expect((await call(caller.sid)).outcome).toBe('opted_in');
  });

  it('records nothing for a wrong key or silence at "to use this number, press 1", and confirms only on 1', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    expect((await caller.press('1')).says.join(' ')).toContain('You are calling from the number ending in 0 1 2 3');
    expect((await caller.press('4')).says[0]).toMatch(/^Sorry, that key is not one of the options/);
    expect((await caller.press('')).says[0]).toBe('Sorry, we did not hear a key.');
    expect(await events()).toEqual([]);
    expect((await caller.press('1')).says.join(' ')).toContain('Would you also like offers');
    expect((await events()).map((e) => [e.category, e.decision, e.phone_number, e.number_source])).toEqual([
      ['utility', 'opt_in', '+14155550123', 'caller_id'],
    ]);
  });

  it('records opt_out for every category when the caller presses 3 and confirms the number', async () => {
    server = await startServer();
    const first = new Caller(server, { from: '+14155550123' });
    await first.dial();
    for (const k of ['1', '1', '1']) await first.press(k);
    const second = new Caller(server, { from: '+14155550123' });
    await second.dial();
    await second.press('3');
    const end = await second.press('1');
    expect(end.says[0]).toMatch(/no longer send WhatsApp messages/);
    const rows = await events();
    expect(rows.slice(2).map((e) => [e.category, e.decision, e.call_sid])).toEqual([
      ['utility', 'opt_out', second.sid],
      ['marketing', 'opt_out', second.sid],
    ]);
  });

  it('closes a call that hangs up before deciding as abandoned, with no consent', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    const res = await caller.hangUp(3, 17);
    expect(res.status).toBe(204);
    expect(await events()).toEqual([]);
    expect(await call(caller.sid)).toMatchObject({
      outcome: 'abandoned',
      call_status: 'completed',
      duration_seconds: 17,
      status_sequence: 3,
    });
    // A late, out-of-order callback does not overwrite the final one.
    await postSigned(`${server.url}/voice/status`, { ...caller.base(), CallStatus: 'ringing', SequenceNumber: '1' });
    expect((await call(caller.sid)).call_status).toBe('completed');
  });
});

// Idempotency rests on the database (unique keys, the stored answer of each turn): proved on both engines.
describe.each(ENGINES)('a repeated webhook (%s)', (engine) => {
  it('answers a repeated request with the same words and records no second event', async () => {
    server = await startServer({}, { engine });
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    const turn2 = `${server.url}/voice/turn?n=2`;
    const params = { ...caller.base(), Digits: '1' };
    const first = await (await postSigned(turn2, params)).text();
    const again = await (await postSigned(turn2, params)).text();
    expect(again).toBe(first);
    expect((await events()).map((e) => e.category)).toEqual(['utility']);
  });

  it('records one event when the same request arrives several times at once', async () => {
    server = await startServer({}, { engine });
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    const params = { ...caller.base(), Digits: '1' };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => postSigned(`${server.url}/voice/turn?n=2`, params).then((r) => r.text())),
    );
    expect(new Set(answers).size).toBe(1);
    expect((await events()).map((e) => e.category)).toEqual(['utility']);
    expect(await verifyLedger(server.context.store.db)).toMatchObject({ ok: true, count: 1 });
  });

  it('answers a repeated incoming call with the same opening and keeps one call row', async () => {
    server = await startServer({}, { engine });
    const caller = new Caller(server, { from: '+14155550123' });
    const [a, b] = await Promise.all([caller.dial(), caller.dial()]);
    expect(b).toEqual(a);
    const calls = await server.context.store.db.selectFrom('calls').selectAll().execute();
    expect(calls).toHaveLength(1);
  });
});

describe('webhook signatures', () => {
  const params = () => ({
    CallSid: callSid(42),
    AccountSid: ACCOUNT_SID,
    From: '+14155550123',
    To: '+15005550006',
    CallStatus: 'ringing',
  });
  async function tableCounts() {
    const db = server.context.store.db;
    const count = async (t: 'calls' | 'consent_events' | 'call_steps' | 'statements') =>
      Number(
        (
          await db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      calls: await count('calls'),
      events: await count('consent_events'),
      steps: await count('call_steps'),
      statements: await count('statements'),
    };
  }

  it('refuses an unsigned request with 403 and writes nothing', async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/voice/incoming`, { method: 'POST', body: new URLSearchParams(params()) });
    expect(res.status).toBe(403);
    expect(await tableCounts()).toEqual({ calls: 0, events: 0, steps: 0, statements: 0 });
  });

  it('refuses a request signed with another token, or for another URL, or with changed parameters', async () => {
    server = await startServer();
    const url = `${server.url}/voice/incoming`;
    expect((await postSigned(url, params(), { token: 'not-the-token' })).status).toBe(403);
    expect((await postSigned(url, params(), { signedAs: `${server.url}/voice/status` })).status).toBe(403);
    const signedFor = params();
    const sig = (await import('twilio')).default.getExpectedTwilioSignature(
      'test-auth-token-0123456789',
      url,
      signedFor,
    );
    const tampered = await fetch(url, {
      method: 'POST',
      headers: { 'x-twilio-signature': sig, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...signedFor, From: '+14155550199' }),
    });
    expect(tampered.status).toBe(403);
    expect(await tableCounts()).toEqual({ calls: 0, events: 0, steps: 0, statements: 0 });
  });

  it('refuses a forged keypress on a real call and records nothing for it', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    const forged = await postSigned(
      `${server.url}/voice/turn?n=2`,
      { ...caller.base(), Digits: '1' },
      { token: 'guessed' },
    );
    expect(forged.status).toBe(403);
    expect(await tableCounts()).toMatchObject({ events: 0 });
  });

  it('checks the signature against PUBLIC_BASE_URL behind a TLS-terminating proxy, query string included', async () => {
    server = await startServer({ PUBLIC_BASE_URL: 'https://ivr.example.com/' });
    const caller = new Caller(server, { from: '+14155550123' });
    const local = `${server.url}/voice/incoming?line=main`;
    const publicUrl = 'https://ivr.example.com/voice/incoming?line=main';
    const ok = await postSigned(local, caller.base(), { signedAs: publicUrl });
    expect(ok.status).toBe(200);
    // Signed for the URL the app sees, not the one Twilio used: refused.
    expect((await postSigned(local, { ...caller.base(), CallSid: callSid(7) })).status).toBe(403);
  });

  it('honours X-Forwarded-Proto and Host only when TRUST_PROXY is set', async () => {
    const signedAs = 'https://tunnel.example.net/voice/incoming';
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tunnel.example.net' };
    server = await startServer({ TRUST_PROXY: 'true' });
    const caller = new Caller(server, { from: '+14155550123' });
    expect((await postSigned(`${server.url}/voice/incoming`, caller.base(), { signedAs, headers })).status).toBe(200);
    await server.close();
    server = await startServer();
    expect((await postSigned(`${server.url}/voice/incoming`, caller.base(), { signedAs, headers })).status).toBe(403);
  });

  it('accepts parameters it does not know, as Twilio adds them without notice', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    const extra = { ...caller.base(), StirVerstat: 'TN-Validation-Passed-A', NewThing: 'x', 'Odd[Name]': 'y' };
    expect((await postSigned(`${server.url}/voice/incoming`, extra)).status).toBe(200);
  });
});

describe('when a write fails', () => {
  const failConsentWrites = () =>
    server.context.store.sqlite.exec(
      `CREATE TRIGGER fail_insert BEFORE INSERT ON consent_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
  const restoreConsentWrites = () => server.context.store.sqlite.exec('DROP TRIGGER fail_insert');

  /** Follows a <Redirect> as Twilio does: a signed POST of the call's parameters, without Digits. */
  it('tries a failed turn once more by <Redirect>, with the keys in its URL, before saying anything', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    failConsentWrites();
    const turn2 = `${server.url}/voice/turn?n=2`;
    const res = await postSigned(turn2, { ...caller.base(), Digits: '1' });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(readTwiml(body, turn2)).toMatchObject({ says: [], hangup: false });
    expect(body).toContain('<Redirect method="POST">turn?n=2&amp;digits=1&amp;retry=1</Redirect>');
    expect(await events()).toEqual([]);
    // The disk is back by the time Twilio follows the redirect: the keys in the URL are recorded, once.
    restoreConsentWrites();
    const next = await followRedirect(caller, body, turn2);
    expect(next).toMatch(/Would you also like offers/);
    expect((await events()).map((e) => [e.decision, e.digits, e.prompt_id])).toEqual([['opt_in', '1', 'statement']]);
  });

  it('apologises after the retry fails too, confirms nothing and keeps the call where it was', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    failConsentWrites();
    const turn2 = `${server.url}/voice/turn?n=2`;
    const first = await (await postSigned(turn2, { ...caller.base(), Digits: '1' })).text();
    const body = await followRedirect(caller, first, turn2);
    expect(body).toMatch(/your choice has not been saved/);
    expect(body).toMatch(/<Hangup\/>/);
    expect(body).not.toMatch(/Thank you|Would you also like|Redirect/);
    expect(await events()).toEqual([]);
    expect((await call(caller.sid)).turn).toBe(2);
    // A webhook Twilio sends again later (a connection-override retry) still records the decision once.
    restoreConsentWrites();
    const retry = await postSigned(turn2, { ...caller.base(), Digits: '1' });
    expect(await retry.text()).toMatch(/Would you also like offers/);
    expect((await events()).map((e) => e.decision)).toEqual(['opt_in']);
  });

  it('names what the call has already saved when a later turn cannot be saved', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    await caller.press('1');
    expect((await events()).map((e) => [e.category, e.decision])).toEqual([['utility', 'opt_in']]);
    failConsentWrites();
    const turn3 = `${server.url}/voice/turn?n=3`;
    const first = await (await postSigned(turn3, { ...caller.base(), Digits: '1' })).text();
    const said = readTwiml(await followRedirect(caller, first, turn3), turn3);
    const reference = (await call(caller.sid)).reference.split('').join(' ');
    expect(said.hangup).toBe(true);
    expect(said.says).toEqual([
      'Sorry, something went wrong and your last answer was not saved. Your agreement to receive order and ' +
        'delivery updates from Demo Shop on WhatsApp, for the number ending in 0 1 2 3, is saved. Your reference ' +
        `is ${reference}. To stop, press 3 when you call. Goodbye.`,
    ]);
    expect((await events()).map((e) => e.category)).toEqual(['utility']);
  });

  it("names what is saved in the answer to Twilio's fallback URL too", async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    await caller.press('1');
    const res = await postSigned(`${server.url}/voice/fallback`, {
      ...caller.base(),
      ErrorCode: '11200',
      ErrorUrl: `${server.url}/voice/turn?n=3`,
    });
    expect(await res.text()).toMatch(/Your agreement to receive order and delivery updates .* is saved/);
  });

  it('apologises for a request after the call has ended, and still repeats the closing words', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    for (const key of ['1', '1']) await caller.press(key);
    const closing = await caller.press('1');
    const late = await postSigned(`${server.url}/voice/turn?n=4`, { ...caller.base(), Digits: '1' });
    expect(await late.text()).toMatch(/something went wrong/);
    const repeated = await postSigned(`${server.url}/voice/turn?n=3`, { ...caller.base(), Digits: '1' });
    expect(readTwiml(await repeated.text(), server.url).says).toEqual(closing.says);
    expect(await events()).toHaveLength(2);
  });

  it('apologises for a turn the call never reached', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    const res = await postSigned(`${server.url}/voice/turn?n=9`, { ...caller.base(), Digits: '1' });
    expect(await res.text()).toMatch(/something went wrong/);
    expect(await events()).toEqual([]);
  });
});

describe('CallSid case', () => {
  it("stores a CallSid sent in upper case in Twilio's form, so the call is found by show and the API", async () => {
    server = await startServer();
    const upper = `CA${'ABAB'.repeat(8)}`;
    const caller = new Caller(server, { from: '+14155550123', sid: upper });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
    expect((await caller.hangUp()).status).toBe(204);
    const stored = `CA${'abab'.repeat(8)}`;
    expect(await callTranscript(server.context.store.db, twilioCallSid(upper))).toMatchObject({
      call: { call_sid: stored, outcome: 'opted_in', call_status: 'completed' },
      events: [{ call_sid: stored }, { call_sid: stored }],
    });
  });
});
