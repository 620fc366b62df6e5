import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_SID,
  Caller,
  callSid,
  postSigned,
  startServer,
  TEST_TOKEN,
  type TestServer,
} from '../helpers/server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function counts() {
  const db = server.context.store.db;
  const count = async (t: 'calls' | 'consent_events' | 'call_steps') =>
    Number(
      (
        await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { calls: await count('calls'), events: await count('consent_events'), steps: await count('call_steps') };
}

const nothing = { calls: 0, events: 0, steps: 0 };
const params = (overrides: Record<string, string> = {}) => ({
  CallSid: callSid(99),
  AccountSid: ACCOUNT_SID,
  From: '+14155550123',
  To: '+15005550006',
  CallStatus: 'ringing',
  ...overrides,
});

describe('malformed webhooks', () => {
  it.each([
    ['a CallSid that is not a Twilio call id', { CallSid: 'CA123' }],
    ['a CallSid with a wrong prefix', { CallSid: `PN${'0'.repeat(32)}` }],
    ['no CallSid', { CallSid: '' }],
    ['an AccountSid that is not a Twilio account id', { AccountSid: 'ACnope' }],
  ])('answers an incoming call with %s with 400 and writes nothing', async (_, overrides) => {
    server = await startServer();
    const res = await postSigned(`${server.url}/voice/incoming`, params(overrides));
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(nothing);
  });

  it('answers a status callback with a bad CallSid with 400', async () => {
    server = await startServer();
    const res = await postSigned(`${server.url}/voice/status`, params({ CallSid: 'nope', CallStatus: 'completed' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CallSid "nope" is not a Twilio call id/);
    expect(await counts()).toEqual(nothing);
  });

  it.each([['abc'], [''], ['-1'], ['1234567']])(
    'answers a turn numbered %j with 400 and records nothing',
    async (n) => {
      server = await startServer();
      const caller = new Caller(server, { from: '+14155550123' });
      await caller.dial();
      const before = await counts();
      const res = await postSigned(`${server.url}/voice/turn?n=${n}`, { ...caller.base(), Digits: '1' });
      expect(res.status).toBe(400);
      expect(await counts()).toEqual(before);
    },
  );

  it('answers a body that is not a form with 415 and writes nothing', async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/voice/incoming`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': 'x' },
      body: JSON.stringify(params()),
    });
    expect(res.status).toBe(415);
    expect(await counts()).toEqual(nothing);
  });

  it('answers a body over 64 KiB with 413 and writes nothing, and takes one just under it', async () => {
    server = await startServer();
    const padded = (size: number) => params({ Padding: 'x'.repeat(size) });
    const over = await postSigned(`${server.url}/voice/incoming`, padded(64 * 1024));
    expect(over.status).toBe(413);
    expect(await counts()).toEqual(nothing);
    const under = await postSigned(`${server.url}/voice/incoming`, padded(60 * 1024));
    expect(under.status).toBe(200);
  });
});

describe('webhooks for a call this service does not know', () => {
  it('apologises for a turn of an unknown call and creates no call', async () => {
    server = await startServer();
    const res = await postSigned(`${server.url}/voice/turn?n=1`, params({ Digits: '1', CallStatus: 'in-progress' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/something went wrong.*<Hangup\/>/s);
    expect(await counts()).toEqual(nothing);
  });

  it('apologises, without a retry, for a turn of a call that has already ended, and records nothing more', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('2');
    expect(caller.last?.hangup).toBe(true);
    const before = await counts();
    const res = await postSigned(`${server.url}/voice/turn?n=2`, { ...caller.base(), Digits: '1' });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toMatch(/<Redirect/);
    expect(body).toMatch(/<Say[^>]*>[^<]+<\/Say><Hangup\/>/);
    expect(await counts()).toEqual(before);
  });

  it('answers a caller with an apology, never a bare 500, when even the apology cannot read the call', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    // A call whose saved state no longer parses: the turn fails, its retry fails, and so does the tailored apology.
    await server.context.store.db.updateTable('calls').set({ state: '{' }).where('call_sid', '=', caller.sid).execute();
    for (const path of ['turn?n=1&digits=1&retry=1', 'fallback']) {
      const res = await postSigned(`${server.url}/voice/${path}`, {
        ...caller.base(),
        Digits: '1',
        ErrorCode: '11200',
      });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/xml/);
      expect(await res.text(), path).toMatch(/something went wrong.*<Hangup\/>/s);
    }
  });

  it('takes a status callback for an unknown call without error and writes nothing', async () => {
    server = await startServer();
    const res = await postSigned(
      `${server.url}/voice/status`,
      params({ CallStatus: 'completed', SequenceNumber: '1' }),
    );
    expect(res.status).toBe(204);
    expect(await counts()).toEqual(nothing);
  });
});

describe('status callbacks', () => {
  it('applies a callback once: one with an equal SequenceNumber is a repeat, not news', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    const status = (CallStatus: string, SequenceNumber: string) =>
      postSigned(`${server.url}/voice/status`, { ...caller.base(), CallStatus, SequenceNumber, CallDuration: '9' });
    expect((await status('completed', '3')).status).toBe(204);
    const steps = async () =>
      server.context.store.db
        .selectFrom('call_steps')
        .select('detail')
        .where('call_sid', '=', caller.sid)
        .where('kind', '=', 'status')
        .execute();
    expect(await steps()).toEqual([{ detail: 'completed' }]);
    expect((await status('busy', '3')).status).toBe(204);
    expect(await steps()).toEqual([{ detail: 'completed' }]);
    const row = await server.context.store.db
      .selectFrom('calls')
      .selectAll()
      .where('call_sid', '=', caller.sid)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ call_status: 'completed', status_sequence: 3 });
    // A later one is applied.
    await status('completed', '4');
    expect(await steps()).toHaveLength(2);
  });
});

describe('logs', () => {
  it('never carry a full phone number: call, decision, failure, status, rejection, API request, opt-out, fallback', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const adminToken = 'admin-token-0123456789abcdef';
    server = await startServer({ ADMIN_TOKEN: adminToken }, { logger: pino({ level: 'info' }, sink) });
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    await caller.press('1');
    // A failing turn: the error line names the caller.
    const failed = await postSigned(`${server.url}/voice/turn?n=9`, { ...caller.base(), Digits: '1' });
    expect(await failed.text()).toMatch(/something went wrong/);
    await caller.hangUp(2);
    await postSigned(`${server.url}/voice/incoming`, params(), { token: 'forged' });
    await fetch(`${server.url}/api/subscribers/+14155550123`, { headers: { authorization: `Bearer ${adminToken}` } });
    const optOut = await fetch(`${server.url}/api/subscribers/+14155550123/opt-out`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ business: 'Demo Shop', reason: 'STOP on WhatsApp' }),
    });
    expect(optOut.status).toBe(201);
    // Twilio's fallback names the URL that failed: a retried turn carries the keyed-in number in its query.
    await postSigned(
      `${server.url}/voice/fallback`,
      {
        ...caller.base(),
        ErrorCode: '11200',
        ErrorUrl: `${server.url}/voice/turn?n=3&digits=4155550123&retry=1`,
      },
      { token: TEST_TOKEN },
    );

    // One line per webhook ("request"), carrying what it did: the call answered, the events, the failure, the status.
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const messages = parsed.map((l) => l.msg as string);
    expect(messages).toContain('request');
    expect(messages).toContain('rejected a voice webhook without a valid signature');
    const failure = parsed.find((l) => l.failed === 'voice webhook');
    expect(failure?.from).toBe('+1415*****23');
    const answered = parsed.find((l) => l.route === '/voice/incoming' && l.script !== undefined);
    expect(answered).toMatchObject({ from: '+1415*****23', to: '+1500*****06' });
    const recorded = parsed.find((l) => Array.isArray(l.events)) as { events: { phone: string }[] } | undefined;
    expect(recorded?.events[0]?.phone).toBe('+1415*****23');
    expect(parsed.some((l) => l.callStatus !== undefined)).toBe(true);
    expect(parsed.find((l) => l.msg === 'opt-out recorded via API')).toMatchObject({ phone: '+1415*****23' });
    expect(parsed.find((l) => l.msg === 'Twilio reported a failed webhook')?.errorUrl).toMatch(
      /\/voice\/turn\?n=3&digits=4155\*{4}23&retry=1$/,
    );
    for (const line of lines) expect(line).not.toMatch(/4155550123|5005550006/);
  });
});
