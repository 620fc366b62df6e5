import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OptOutRequest, recordOptOut } from '../../src/consent/opt-out.js';
import { writeTransaction } from '../../src/db/store.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';
import { demoScript } from '../helpers/scripts.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
  });
  afterEach(() => ledger.remove());

  const scripts = () => [demoScript()];
  let n = 0;
  function optOut(request: Partial<OptOutRequest>) {
    return writeTransaction(ledger.store.db, (trx) =>
      recordOptOut(
        trx,
        { scripts: scripts(), recordedAt: '2026-11-27T09:00:00.000Z', newId: () => `opt-out-${++n}` },
        { phone: '+14155550123', business: 'Demo Shop', reason: 'STOP on WhatsApp', source: 'api', ...request },
      ),
    );
  }

  describe('an opt-out from off the phone line', () => {
    it('withdraws one category, recorded as the event the API and agents file', async () => {
      const [event, ...rest] = await optOut({ category: 'marketing', source: 'agent', reason: ' asked an agent ' });
      expect(rest).toEqual([]);
      expect(event).toEqual(
        expect.objectContaining({
          phone_number: '+14155550123',
          business: 'Demo Shop',
          channel: 'whatsapp',
          category: 'marketing',
          decision: 'opt_out',
          source: 'agent',
          reason: 'asked an agent',
          call_sid: null,
          account_sid: null,
          called_number: null,
          number_source: null,
          digits: null,
          prompt_id: null,
          attempt: null,
          script_id: null,
          script_version: null,
          language: null,
          voice: null,
          statement_sha256: null,
          signature_verified: null,
          recorded_at: '2026-11-27T09:00:00.000Z',
        }),
      );
    });

    it('withdraws every category the scripts and the ledger know, in order, when none is given', async () => {
      await addEvents(ledger.store, [ivrEvent({ category: 'surveys', statement_sha256: null, source: 'api' })]);
      const events = await optOut({});
      expect(events.map((e) => e.category)).toEqual(['marketing', 'surveys', 'utility']);
    });

    it("accepts a business known only from this number's events", async () => {
      await addEvents(ledger.store, [ivrEvent({ business: 'Old Shop', category: 'news', statement_sha256: null })]);
      expect((await optOut({ business: 'Old Shop' })).map((e) => [e.business, e.category])).toEqual([
        ['Old Shop', 'news'],
      ]);
    });

    it('trims the business, category and reason once, for every caller', async () => {
      const [event] = await optOut({ business: '  Demo Shop ', category: ' utility ', reason: '  x  ' });
      expect(event).toMatchObject({ business: 'Demo Shop', category: 'utility', reason: 'x' });
    });

    it.each([
      [
        { business: 'Demo shop' },
        'business',
        /^unknown business "Demo shop": no voice script names it and \+14155550123 has no events for it \(known businesses: "Demo Shop"\)$/,
      ],
      [{ business: '   ' }, 'business', /^business must not be empty$/],
      [{ category: 'sms' }, 'category', /^unknown category "sms" for "Demo Shop" \(known: marketing, utility\)$/],
      [{ category: '  ' }, 'category', /^category must not be empty$/],
      [{ reason: '' }, 'reason', /^reason must be 1 to 500 characters/],
      [{ reason: '   ' }, 'reason', /^reason must be 1 to 500 characters/],
      [{ reason: 'x'.repeat(501) }, 'reason', /^reason must be 1 to 500 characters/],
    ] as const)('refuses %j, naming the %s, and records nothing', async (request, field, message) => {
      await expect(optOut(request)).rejects.toMatchObject({
        name: 'InvalidParameterError',
        parameter: field,
        message: expect.stringMatching(message),
      });
      expect(await allEvents(ledger.store)).toEqual([]);
    });

    it('gives the command line the same refusal of an unknown business or category, worded after the option', async () => {
      // cliParameters prints `--business <problem>`: the problem names the value and what is known instead.
      await expect(optOut({ business: 'Demo shop' })).rejects.toMatchObject({
        problem:
          '"Demo shop" is unknown: no voice script names it and +14155550123 has no events for it (known businesses: "Demo Shop")',
      });
      await expect(optOut({ category: 'sms' })).rejects.toMatchObject({
        problem: '"sms" is unknown for "Demo Shop" (known: marketing, utility)',
      });
    });

    it('takes a reason of exactly 500 characters', async () => {
      const [event] = await optOut({ category: 'utility', reason: 'x'.repeat(500) });
      expect(event?.reason).toHaveLength(500);
    });

    it('names no businesses when there are no scripts and no events', async () => {
      const none = writeTransaction(ledger.store.db, (trx) =>
        recordOptOut(
          trx,
          { scripts: [], recordedAt: '2026-11-27T09:00:00.000Z', newId: () => 'x' },
          { phone: '+14155550123', business: 'Demo Shop', reason: 'x', source: 'api' },
        ),
      );
      await expect(none).rejects.toThrow(/\(known businesses: none\)$/);
    });
  });

  it('names every business the scripts know, once each and in order, for a business it does not know', async () => {
    const named = (business: string) => ({ ...demoScript(), business });
    const refused = writeTransaction(ledger.store.db, (trx) =>
      recordOptOut(
        trx,
        {
          scripts: [named('Zeta Shoes'), named('Demo Shop'), named('Zeta Shoes')],
          recordedAt: '2026-11-27T09:00:00.000Z',
          newId: () => 'x',
        },
        { phone: '+14155550123', business: 'Alpha', reason: 'x', source: 'api' },
      ),
    );
    await expect(refused).rejects.toThrow(/\(known businesses: "Demo Shop", "Zeta Shoes"\)$/);
  });
});
