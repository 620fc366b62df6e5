import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countEvents, pageOfEvents } from '../../src/db/event-query.js';
import { parseFilter } from '../../src/params/filter.js';
import { ENGINES } from '../helpers/engines.js';
import { scanned } from '../helpers/export-pages.js';
import { addEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

// The period of an export is since <= recorded_at < until: an event at exactly `until` belongs to the next period,
// so consecutive exports (--since 2026-11-01 --until 2026-11-30, then --since 2026-12-01 …) never hold one event twice.

let ledger: Awaited<ReturnType<typeof tempStore>>;
describe.each(ENGINES)('on %s', (engine) => {
  beforeEach(async () => {
    ledger = await tempStore(engine);
    for (const at of [
      '2026-11-01T09:59:59.999Z',
      '2026-11-01T10:00:00.000Z',
      '2026-11-01T10:59:59.999Z',
      '2026-11-01T11:00:00.000Z',
    ]) {
      await addEvents(ledger.store, [ivrEvent()], at);
    }
  });
  afterEach(() => ledger.remove());

  const filter = { since: '2026-11-01T10:00:00.000Z', until: '2026-11-01T11:00:00.000Z' };

  async function streamed(f: typeof filter | Partial<typeof filter>) {
    return (await scanned(ledger.store.db, f, 1)).map((e) => e.recorded_at);
  }

  describe('the period of an export', () => {
    it('includes an event at exactly since and excludes one at exactly until', async () => {
      expect(await streamed(filter)).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T10:59:59.999Z']);
      expect(await countEvents(ledger.store.db, filter)).toBe(2);
      const page = await pageOfEvents(ledger.store.db, filter, { after: 0, limit: 10 });
      expect(page.map((e) => e.recorded_at)).toEqual(['2026-11-01T10:00:00.000Z', '2026-11-01T10:59:59.999Z']);
    });

    it('splits the ledger into consecutive periods without losing or repeating an event', async () => {
      const before = await streamed({ until: filter.since });
      const during = await streamed(filter);
      const after = await streamed({ since: filter.until });
      expect([...before, ...during, ...after]).toEqual(await streamed({}));
      expect(before).toEqual(['2026-11-01T09:59:59.999Z']);
      expect(after).toEqual(['2026-11-01T11:00:00.000Z']);
    });

    it('refuses a period whose until is not after its since, equal included: it would be silently empty', () => {
      expect(() => parseFilter({ since: '2026-11-01T10:00:00Z', until: '2026-11-01T10:00:00Z' })).toThrow(
        /^until "2026-11-01T10:00:00Z" is not after since "2026-11-01T10:00:00Z": the period would be empty/,
      );
      expect(() => parseFilter({ since: '2026-11-01T10:00:00.001Z', until: '2026-11-01T10:00:00Z' })).toThrow(
        /is not after since/,
      );
      expect(parseFilter({ since: '2026-11-01T10:00:00Z', until: '2026-11-01T10:00:00.001Z' })).toEqual({
        since: '2026-11-01T10:00:00.000Z',
        until: '2026-11-01T10:00:00.001Z',
      });
    });
  });
});
