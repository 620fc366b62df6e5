import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanEvents } from '../../src/db/event-scan.js';
import { readEvents } from '../../src/db/ledger.js';
import { ENGINES } from '../helpers/engines.js';
import { scanned } from '../helpers/export-pages.js';
import { addEvents, addManyEvents, allEvents, asExported, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
    await addManyEvents(ledger.store, 95);
  });
  afterEach(() => ledger.remove());

  describe('the one scan of the ledger that exports and verification read', () => {
    it('reads every matching event once, oldest first, across pages', async () => {
      const seen = await scanned(ledger.store.db, { category: 'utility' }, 10);
      expect(seen).toEqual(asExported(await allEvents(ledger.store)).filter((e) => e.category === 'utility'));
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
      const seen = (await scanned(ledger.store.db, filter, 2)).map((e) => e.recorded_at);
      expect(seen).toEqual(['2026-12-05T00:00:00.000Z', '2026-12-31T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    });

    it('holds no statement open between pages: the same connection records a decision mid-scan', async () => {
      let pages = 0;
      for await (const page of scanEvents(ledger.store.db, {}, { columns: ['seq'], pageSize: 10 })) {
        pages += 1;
        if (pages === 2) await addEvents(ledger.store, [ivrEvent()]);
        expect(page.length).toBeGreaterThan(0);
      }
      // The event added after the first pages is read too, at the end.
      expect(pages).toBe(10);
    });

    it('reads the same rows whether asked for a reference of the call or not, and the same events as readEvents', async () => {
      const plain = await scanned(ledger.store.db, {});
      const read = [];
      for await (const e of readEvents(ledger.store.db, 7)) read.push(e);
      expect(read.map((e) => e.hash)).toEqual(plain.map((e) => e.hash));
      const withReference = [];
      for await (const page of scanEvents(ledger.store.db, {}, { columns: ['seq'], reference: true })) {
        withReference.push(...page);
      }
      expect(withReference.map((r) => r[0])).toEqual(plain.map((e) => e.seq));
      expect(withReference.every((r) => r.length === 2)).toBe(true);
    });
  });
});
