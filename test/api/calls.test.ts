import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transcript } from '../../src/transcript/transcript.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
let caller: Caller;
let heard: string[];

beforeAll(async () => {
  server = await startServer({ ADMIN_TOKEN: TOKEN });
  caller = new Caller(server, { from: '+14155550123', sid: `CA${'0123456789abcdef'.repeat(2)}` });
  heard = [...(await caller.dial()).says];
  heard.push(...(await caller.press('')).says);
  for (const key of ['1', '1', '1']) heard.push(...(await caller.press(key)).says);
});
afterAll(() => server.close());

const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

describe('GET /api/calls/{CallSid}', () => {
  it('returns the transcript: each prompt with its text, each key or silence with its time, and the events', async () => {
    const res = await get(`/api/calls/${caller.sid}`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as Transcript;
    expect(t.call).toMatchObject({ call_sid: caller.sid, from_number: '+14155550123', outcome: 'opted_in' });
    expect(t.steps.filter((s) => s.kind === 'prompt').map((s) => s.text)).toEqual(heard);
    expect(t.steps.filter((s) => s.kind !== 'prompt').map((s) => [s.kind, s.digits, s.prompt_id])).toEqual([
      ['silence', null, 'statement'],
      ['key', '1', 'statement'],
      ['key', '1', 'confirm_caller_id'],
      ['key', '1', 'category_question'],
    ]);
    for (const s of t.steps) expect(s.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(t.events.map((e) => [e.category, e.decision])).toEqual([
      ['utility', 'opt_in'],
      ['marketing', 'opt_in'],
    ]);
  });

  it('finds the call when the CallSid is written in upper case, as Twilio stores it in lower case', async () => {
    for (const sid of [`CA${'0123456789ABCDEF'.repeat(2)}`, `ca${'0123456789abcdef'.repeat(2)}`]) {
      const res = await get(`/api/calls/${sid}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Transcript).call.call_sid).toBe(caller.sid);
    }
  });

  it('answers 400 for what is not a CallSid and 404 for a call it does not have', async () => {
    const bad = await get('/api/calls/12345');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_parameter', parameter: 'callSid' });
    const missing = await get(`/api/calls/CA${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('finds the call by the 8-digit reference the caller heard, as show does', async () => {
    const reference = (
      await server.context.store.db
        .selectFrom('calls')
        .select('reference')
        .where('call_sid', '=', caller.sid)
        .executeTakeFirstOrThrow()
    ).reference;
    const res = await get(`/api/calls/${reference}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Transcript).call.call_sid).toBe(caller.sid);
    const unknown = reference === '00000000' ? '00000001' : '00000000';
    expect(await (await get(`/api/calls/${unknown}`)).json()).toMatchObject({ error: 'not_found' });
  });

  it('names every call when a reference is shared, instead of picking one', async () => {
    const other = new Caller(server, { from: '+14155550124' });
    await other.dial();
    const reference = '12121212';
    await server.context.store.db.updateTable('calls').set({ reference }).execute();
    const res = await get(`/api/calls/${reference}`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; call_sids: string[] };
    expect(body.error).toBe('ambiguous_reference');
    expect([...body.call_sids].sort()).toEqual([caller.sid, other.sid].sort());
  });
});
