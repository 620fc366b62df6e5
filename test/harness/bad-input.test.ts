import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSid, postSigned, startServer, type TestServer } from '../helpers/server.js';

// Bounded, and repeatable: a failure prints its seed, and FAST_CHECK_SEED=<seed> runs the same cases again.
const RUNS = 40;
const seed = Number(process.env.FAST_CHECK_SEED ?? Date.now() % 2 ** 31);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  console.log(`bad-input harness: fast-check seed ${seed}, ${RUNS} runs per property`);
});
afterAll(() => server?.close());

const TABLES = ['calls', 'call_steps', 'call_turns', 'statements', 'consent_events'] as const;

async function rowCounts(): Promise<number[]> {
  return Promise.all(
    TABLES.map(async (t) => {
      const row = await server.context.store.db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }),
  );
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const sidArb = fc.oneof(
  fc.integer({ min: 1, max: 2 ** 30 }).map((n) => callSid(0xb0000000 + n)),
  fc.constantFrom('not-a-call', 'CA123', `ca${'F'.repeat(32)}`),
  fc.string({ maxLength: 40 }),
);
const fromArb = fc.oneof(
  fc.constantFrom('anonymous', 'restricted', 'unknown', '+266696687', 'client:alice', 'sip:bob@example.com', ''),
  fc.constantFrom('+14155550123', '+4915112345678', '+1', '+999999999999999999'),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constant(`+1${'9'.repeat(5000)}`),
);
const digitsArb = fc.oneof(
  fc.constantFrom('*#', '#', '*', '', '1', '2', '3', '9', '0', '11'),
  fc.stringMatching(/^[0-9]{40}$/),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const nArb = fc.oneof(fc.constantFrom('-1', 'abc', '0', '1', '2', '3', '4', '99999999', '', '1.5', '1e3'), fc.string());
const turnArb = fc.record({ n: nArb, digits: maybe(digitsArb), extra: maybe(fc.string({ maxLength: 20 })) });

function params(sid: string | undefined, from: string | undefined, extra: Record<string, string | undefined>) {
  const all: Record<string, string | undefined> = {
    CallSid: sid,
    AccountSid: `AC${'a'.repeat(32)}`,
    From: from,
    To: '+15005550006',
    CallStatus: 'in-progress',
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function expectClearAnswer(res: Response, text: string): void {
  expect(res.status, text).toBeLessThan(500);
  if (res.status === 200) {
    expect(res.headers.get('content-type')).toMatch(/xml/);
    expect(text).toMatch(/^<\?xml[^>]*\?><Response>/);
  } else if (res.status !== 204) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(text.length).toBeGreaterThan(0);
  }
}

describe('bad input: well-signed webhooks with missing or odd fields', () => {
  it('never answers 5xx and never records an event the caller did not press for', async () => {
    await fc.assert(
      fc.asyncProperty(
        maybe(sidArb),
        maybe(fromArb),
        fc.array(turnArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (sid, from, turns, hangUp) => {
          const before = await server.context.store.db
            .selectFrom('consent_events')
            .select((eb) => eb.fn.max('seq').as('seq'))
            .executeTakeFirst();
          const pressed = new Set<string>();
          const first = await postSigned(`${server.url}/voice/incoming`, params(sid, from, {}));
          expectClearAnswer(first, await first.text());
          for (const turn of turns) {
            if (turn.digits) pressed.add(turn.digits);
            const url = `${server.url}/voice/turn?n=${encodeURIComponent(turn.n)}`;
            const res = await postSigned(url, params(sid, from, { Digits: turn.digits, Extra: turn.extra }));
            expectClearAnswer(res, await res.text());
          }
          if (hangUp) {
            const res = await postSigned(
              `${server.url}/voice/status`,
              params(sid, from, { CallStatus: 'completed', SequenceNumber: 'x' }),
            );
            expectClearAnswer(res, await res.text());
          }
          const added = await server.context.store.db
            .selectFrom('consent_events')
            .selectAll()
            .where('seq', '>', before?.seq ?? 0)
            .execute();
          for (const event of added) {
            expect(event.call_sid).toBe(sid);
            expect(pressed.has(event.digits ?? '')).toBe(true);
          }
        },
      ),
      { numRuns: RUNS, seed },
    );
  }, 120_000);
});

describe('bad input: requests that are not from Twilio', () => {
  const forgeries = ['unsigned', 'wrong token', 'signed for another URL', 'a field changed after signing'] as const;

  it('answers 403 to every unsigned or wrongly signed variant and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/voice/incoming', '/voice/turn?n=1', '/voice/status', '/voice/fallback'),
        maybe(sidArb),
        maybe(fromArb),
        maybe(digitsArb),
        fc.constantFrom(...forgeries),
        async (path, sid, from, digits, forgery) => {
          const counts = await rowCounts();
          const url = server.url + path;
          const body = params(sid, from, { Digits: digits });
          let res: Response;
          if (forgery === 'unsigned') {
            res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(body),
            });
          } else if (forgery === 'wrong token') {
            res = await postSigned(url, body, { token: 'not-the-auth-token' });
          } else if (forgery === 'signed for another URL') {
            res = await postSigned(url, body, { signedAs: `https://evil.example${path}` });
          } else {
            const signature = (await import('twilio')).default.getExpectedTwilioSignature(
              'test-auth-token-0123456789',
              url,
              body,
            );
            res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
              body: new URLSearchParams({ ...body, Digits: `${digits ?? ''}9` }),
            });
          }
          expect(res.status).toBe(403);
          await res.text();
          expect(await rowCounts()).toEqual(counts);
        },
      ),
      { numRuns: RUNS, seed },
    );
  }, 120_000);

  it.each(['application/json', 'text/plain', 'multipart/form-data; boundary=x'])(
    'answers a signed %s body with a clear 415 and writes nothing',
    async (type) => {
      const counts = await rowCounts();
      const body = params(callSid(0xc0ffee), '+14155550123', {});
      const res = await postSigned(`${server.url}/voice/incoming`, body, { headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(await res.text()).toMatch(/x-www-form-urlencoded/);
      expect(await rowCounts()).toEqual(counts);
    },
  );

  it('answers a huge body with 413 and writes nothing', async () => {
    const counts = await rowCounts();
    const huge = params(callSid(0xbad), '+14155550123', { Padding: 'x'.repeat(200_000) });
    const res = await postSigned(`${server.url}/voice/incoming`, huge);
    expect(res.status).toBe(413);
    await res.text();
    expect(await rowCounts()).toEqual(counts);
  });
});
