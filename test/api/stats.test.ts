import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, ivrEvent } from '../helpers/ledger.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN }, { engine });
  });
  afterEach(() => server.close());

  function stats(query = '') {
    return fetch(`${server.url}/api/stats${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  }

  describe('GET /api/stats', () => {
    it('counts calls, abandoned calls and decisions per business, category and day', async () => {
      const caller = new Caller(server, { from: '+14155550123' });
      await caller.dial();
      for (const key of ['1', '1', '1']) await caller.press(key);
      const gone = new Caller(server, { from: '+14155550124' });
      await gone.dial();
      await gone.hangUp();
      await addEvents(
        server.context.store,
        [ivrEvent({ business: 'Other Shop', decision: 'declined' })],
        '2026-10-31T23:59:59.999Z',
      );
      const res = await stats('?since=2026-11-25&until=2026-11-25');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        since: '2026-11-25T00:00:00.000Z',
        until: '2026-11-26T00:00:00.000Z',
        business: null,
        businesses: [
          {
            business: 'Demo Shop',
            calls: 2,
            abandoned: 1,
            opt_in: 2,
            declined: 0,
            opt_out: 0,
            categories: [
              { category: 'marketing', opt_in: 1, declined: 0, opt_out: 0 },
              { category: 'utility', opt_in: 1, declined: 0, opt_out: 0 },
            ],
          },
        ],
        days: [{ day: '2026-11-25', calls: 2, abandoned: 1, opt_in: 2, declined: 0, opt_out: 0 }],
      });
      const other = await (await stats('?business=Other%20Shop')).json();
      expect(other.businesses).toEqual([
        {
          business: 'Other Shop',
          calls: 0,
          abandoned: 0,
          opt_in: 0,
          declined: 1,
          opt_out: 0,
          categories: [{ category: 'utility', opt_in: 0, declined: 1, opt_out: 0 }],
        },
      ]);
      expect(other.days).toEqual([{ day: '2026-10-31', calls: 0, abandoned: 0, opt_in: 0, declined: 1, opt_out: 0 }]);
    });

    it('names the parameter at fault', async () => {
      const bad = await stats('?since=yesterday');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'invalid_parameter', parameter: 'since' });
      const unknown = await stats('?bussiness=x');
      expect(await unknown.json()).toMatchObject({ parameter: 'bussiness' });
    });

    it('asks for the admin token like the rest of the API', async () => {
      expect((await fetch(`${server.url}/api/stats`)).status).toBe(401);
    });
  });
});
