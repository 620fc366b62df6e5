import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubscriberStatus } from '../../src/consent/subscriber-status.js';
import { verifyLedger } from '../../src/db/ledger.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { ENGINES } from '../helpers/engines.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN }, { engine });
  });
  afterEach(() => server.close());

  const auth = { authorization: `Bearer ${TOKEN}` };

  function status(phone: string, query = '') {
    return fetch(`${server.url}/api/subscribers/${encodeURIComponent(phone)}${query}`, { headers: auth });
  }

  function optOut(phone: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${server.url}/api/subscribers/${encodeURIComponent(phone)}/opt-out`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function optInByPhone(from = '+14155550123') {
    const caller = new Caller(server, { from });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
    return caller;
  }

  const countEvents = async () =>
    (await server.context.store.db.selectFrom('consent_events').select('seq').execute()).length;

  describe('GET /api/subscribers/{phone}', () => {
    it('answers an unknown number with an empty status, not an error', async () => {
      const res = await status('+14155550100');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        phone_number: '+14155550100',
        consents: [],
        ledger: { verified: true, checked_at: expect.any(String), events: 0, head: '0'.repeat(64), problem: null },
      });
    });

    it('gives the consent per business and category with its deciding event, for any notation', async () => {
      const caller = await optInByPhone();
      for (const phone of ['+14155550123', '+1 (415) 555-0123']) {
        const body = (await (await status(phone)).json()) as SubscriberStatus;
        expect(body.phone_number).toBe('+14155550123');
        expect(body.consents).toMatchObject([
          { business: 'Demo Shop', category: 'marketing', decision: 'opt_in', may_message: true },
          { business: 'Demo Shop', category: 'utility', decision: 'opt_in', may_message: true },
        ]);
        expect(body.consents[1]?.deciding_event).toMatchObject({
          seq: 1,
          source: 'ivr',
          call_sid: caller.sid,
          digits: '1',
        });
      }
      expect(((await (await status('4155550123', '?country=US')).json()) as SubscriberStatus).consents).toHaveLength(2);
    });

    it('answers 400 naming the parameter for a number it cannot read', async () => {
      const res = await status('not-a-number');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_parameter', parameter: 'phone' });
      const country = await status('4155550123', '?country=ZZ');
      expect(await country.json()).toMatchObject({ parameter: 'country' });
    });
  });

  describe('POST /api/subscribers/{phone}/opt-out', () => {
    it('records an api opt-out that the status then shows', async () => {
      await optInByPhone();
      const res = await optOut('+14155550123', {
        business: 'Demo Shop',
        category: 'marketing',
        reason: 'STOP on WhatsApp',
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { events: ConsentEvent[] };
      expect(body.events).toMatchObject([
        {
          seq: 3,
          decision: 'opt_out',
          source: 'api',
          category: 'marketing',
          reason: 'STOP on WhatsApp',
          call_sid: null,
          signature_verified: null,
        },
      ]);
      const after = (await (await status('+14155550123')).json()) as SubscriberStatus;
      expect(after.consents.map((c) => [c.category, c.may_message])).toEqual([
        ['marketing', false],
        ['utility', true],
      ]);
      expect(after.consents[0]?.deciding_event).toMatchObject({ seq: 3, source: 'api', reason: 'STOP on WhatsApp' });
      expect(await verifyLedger(server.context.store.db)).toMatchObject({ ok: true, count: 3 });
    });

    it('withdraws every category of the business when none is given, even for a number never seen', async () => {
      const res = await optOut('+14155550177', { business: 'Demo Shop', reason: 'told an agent' });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { events: ConsentEvent[] }).events.map((e) => e.category)).toEqual([
        'marketing',
        'utility',
      ]);
    });

    it('returns the first answer again for a repeated Idempotency-Key, recording nothing more', async () => {
      const key = { 'idempotency-key': 'stop-7f3a9c' };
      const request = { business: 'Demo Shop', category: 'utility', reason: 'STOP' };
      const first = await optOut('+14155550123', request, key);
      const firstBody = await first.text();
      // The same request, the number in another notation: still the same request.
      const again = await optOut('+1 415 555 0123', request, key);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.text()).toBe(firstBody);
      expect(await countEvents()).toBe(1);

      const other = await optOut('+14155550123', { ...request, category: 'marketing' }, key);
      expect(other.status).toBe(422);
      expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused', parameter: 'Idempotency-Key' });
      expect(await countEvents()).toBe(1);
    });

    it('records once when the same keyed request arrives twice at the same moment', async () => {
      const key = { 'idempotency-key': 'race-1' };
      const request = { business: 'Demo Shop', category: 'utility', reason: 'STOP' };
      const [a, b] = await Promise.all([optOut('+14155550123', request, key), optOut('+14155550123', request, key)]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(await a.text()).toBe(await b.text());
      expect(await countEvents()).toBe(1);
    });

    it.each([
      [{ category: 'utility', reason: 'x' }, 'business', 'is required'],
      [{ business: 'Demo Shop' }, 'reason', 'is required'],
      [{ business: 'Demo Shop', reason: '' }, 'reason', 'reason must have >=1 characters'],
      [{ business: 'Demo Shop', reason: '   ' }, 'reason', 'reason must have >=1 characters'],
      [{ business: 42, reason: 'x' }, 'business', 'must be string'],
      [{ business: 'Demo Shop', reason: 'x', channel: 'sms' }, 'channel', 'is not a field'],
      [{ business: 'Demo shop', reason: 'x' }, 'business', 'unknown business "Demo shop"'],
      [{ business: 'Demo Shop', category: 'sms', reason: 'x' }, 'category', 'unknown category "sms"'],
      ['{"business": ', 'body', 'is not valid JSON'],
    ])('answers 400 naming the parameter for %j and records nothing', async (body, parameter, message) => {
      const res = await optOut('+14155550123', body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { message: string };
      expect(json).toMatchObject({ error: 'invalid_parameter', parameter });
      expect(json.message).toContain(message);
      expect(await countEvents()).toBe(0);
    });

    it('refuses a body that is not JSON, a bad phone and a bad Idempotency-Key', async () => {
      const form = await fetch(`${server.url}/api/subscribers/+14155550123/opt-out`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'business=Demo+Shop&reason=x',
      });
      expect(form.status).toBe(415);
      expect((await optOut('12', { business: 'Demo Shop', reason: 'x' })).status).toBe(400);
      const key = await optOut(
        '+14155550123',
        { business: 'Demo Shop', reason: 'x' },
        { 'idempotency-key': 'has space' },
      );
      expect(await key.json()).toMatchObject({ parameter: 'Idempotency-Key' });
      expect(await countEvents()).toBe(0);
    });

    it('refuses an Idempotency-Key header that is present but blank, rather than acting without one', async () => {
      for (const blank of ['', '   ']) {
        const res = await optOut('+14155550123', { business: 'Demo Shop', reason: 'x' }, { 'idempotency-key': blank });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({
          error: 'invalid_parameter',
          parameter: 'Idempotency-Key',
          message: 'Idempotency-Key is empty: send 1 to 255 printable ASCII characters, or leave the header out',
        });
      }
      expect(await countEvents()).toBe(0);
    });

    it('answers 413 for a body over 16 kB, not "not valid JSON"', async () => {
      const res = await optOut('+14155550123', { business: 'Demo Shop', reason: 'x'.repeat(20_000) });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: 'body_too_large',
        parameter: 'body',
        message: 'body is larger than 16kb: an opt-out needs far less',
      });
      expect(await countEvents()).toBe(0);
    });
  });
});
