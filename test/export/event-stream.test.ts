import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamEvents } from '../../src/export/event-stream.js';
import { ENGINES } from '../helpers/engines.js';
import { addEvents, addManyEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
    await addManyEvents(ledger.store, 95);
  });
  afterEach(() => ledger.remove());

  describe('reading events for an export', () => {
    it('reads every matching event once, oldest first, across pages', async () => {
      const seen = [];
      for await (const e of streamEvents(ledger.store.db, { category: 'utility' }, 10)) seen.push(e);
      expect(seen).toEqual((await allEvents(ledger.store)).filter((e) => e.category === 'utility'));
    });

    it('finds exactly the events of a period even when the clock went backwards between events', async () => {
      const times = [
        '2026-12-05T00:00:00.000Z',
        '2026-11-20T00:00:00.000Z',
        '2026-12-31T00:00:00.000Z',
        '2026-12-01T00:00:00.000Z',
      ];
      for (const t of times) await addEvents(ledger.store, [ivrEvent()], t);
      const filter = { since: '2026-12-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' };
      const seen = [];
      for await (const e of streamEvents(ledger.store.db, filter, 2)) seen.push(e.recorded_at);
      expect(seen).toEqual(['2026-12-05T00:00:00.000Z', '2026-12-31T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    });

    it('lets the event loop run other work between pages, so webhooks are not held up', async () => {
      let otherWork = 0;
      let reading = true;
      const tick = () => {
        otherWork += 1;
        if (reading) setImmediate(tick);
      };
      setImmediate(tick);
      const seenAt: number[] = [];
      for await (const _ of streamEvents(ledger.store.db, {}, 10)) seenAt.push(otherWork);
      reading = false;
      // Page by page: on SQLite (a synchronous driver) the first page is read before any other work; on either
      // engine other work runs before each next page.
      if (engine === 'sqlite') expect(seenAt.slice(0, 10)).toEqual(Array(10).fill(0));
      const perPage = Array.from({ length: 10 }, (_, p) => seenAt[p * 10]);
      for (let p = 1; p < perPage.length; p += 1) expect(perPage[p]).toBeGreaterThan(perPage[p - 1] as number);
    });
  });
});
