import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscriberStatus } from '../../src/consent/subscriber-status.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
  });
  afterEach(() => ledger.remove());

  const PHONE = '+14155550123';

  describe('the status of a number', () => {
    it('may message only after an opt-in: declined and opted-out numbers may not be messaged', async () => {
      await addEvents(ledger.store, [
        ivrEvent({ category: 'utility', decision: 'opt_in' }),
        ivrEvent({ category: 'marketing', decision: 'declined', prompt_id: 'category_question', digits: '2' }),
        ivrEvent({ business: 'Other Co', category: 'utility', decision: 'opt_out', source: 'agent', reason: 'asked' }),
      ]);
      const status = await subscriberStatus(ledger.store.db, PHONE);
      expect(status.phone_number).toBe(PHONE);
      expect(status.consents.map((c) => [c.business, c.category, c.decision, c.may_message])).toEqual([
        ['Demo Shop', 'marketing', 'declined', false],
        ['Demo Shop', 'utility', 'opt_in', true],
        ['Other Co', 'utility', 'opt_out', false],
      ]);
    });

    it('is decided by the latest event: a decline after an opt-in withdraws it, an opt-in after a decline gives it', async () => {
      await addEvents(ledger.store, [
        ivrEvent({ decision: 'opt_in' }),
        ivrEvent({ decision: 'declined', digits: '2' }),
      ]);
      expect((await subscriberStatus(ledger.store.db, PHONE)).consents).toMatchObject([
        { decision: 'declined', may_message: false, deciding_event: { seq: 2 } },
      ]);
      await addEvents(ledger.store, [ivrEvent({ decision: 'opt_in' })]);
      expect((await subscriberStatus(ledger.store.db, PHONE)).consents).toMatchObject([
        { decision: 'opt_in', may_message: true, deciding_event: { seq: 3 } },
      ]);
    });

    it('names the deciding event with what proves it', async () => {
      const [event] = await addEvents(
        ledger.store,
        [ivrEvent({ decision: 'declined', digits: '2', reason: null })],
        '2026-11-20T08:00:00.000Z',
      );
      const [consent] = (await subscriberStatus(ledger.store.db, PHONE)).consents;
      expect(consent?.deciding_event).toEqual({
        seq: 1,
        event_id: event?.event_id,
        recorded_at: '2026-11-20T08:00:00.000Z',
        source: 'ivr',
        call_sid: `CA${'1'.repeat(32)}`,
        digits: '2',
        prompt_id: 'statement',
        reason: null,
        hash: event?.hash,
      });
    });

    it('answers an unknown number with no consents', async () => {
      await addEvents(ledger.store, [ivrEvent()]);
      expect(await subscriberStatus(ledger.store.db, '+14155550100')).toEqual({
        phone_number: '+14155550100',
        consents: [],
      });
    });
  });
});
