import type SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageOfEvents, seqRangeOf } from '../../src/db/event-query.js';
import { scanEvents } from '../../src/db/event-scan.js';
import { currentConsent } from '../../src/db/ledger.js';
import { addManyEvents, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  ledger = await tempStore();
  await addManyEvents(ledger.store, 1000);
  ledger.store.sqlite.exec('ANALYZE');
});
afterEach(() => ledger.remove());

/** SQLite's plan for every statement `run` prepares, as "detail | detail" lines. */
async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
  const sqlite = ledger.store.sqlite as SQLite.Database & { prepare: SQLite.Database['prepare'] };
  const prepare = sqlite.prepare.bind(sqlite);
  const statements: string[] = [];
  sqlite.prepare = ((source: string) => {
    statements.push(source);
    return prepare(source);
  }) as SQLite.Database['prepare'];
  try {
    await run();
  } finally {
    sqlite.prepare = prepare;
  }
  return statements.map((source) => {
    const params = (source.match(/\?/g) ?? []).map(() => '0');
    const rows = prepare(`EXPLAIN QUERY PLAN ${source}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail).join(' | ');
  });
}

describe('query plans that keep the hot paths fast', () => {
  it('answers "may I message this number?" from the subscriber index, never a scan', async () => {
    const [plan] = await plansOf(() => currentConsent(ledger.store.db, '+14155550001'));
    expect(plan).toMatch(/SEARCH e USING INDEX consent_events_subscriber \(phone_number=\?\)/);
    expect(plan).not.toMatch(/SCAN/);
  });

  it('walks a period page by page along the primary key, not by re-sorting the period for every page', async () => {
    const filter = { since: '2026-10-01T00:00:00.000Z', until: '2026-10-02T00:00:00.000Z' };
    const [range] = await plansOf(() => seqRangeOf(ledger.store.db, filter));
    expect(range).toMatch(/USING COVERING INDEX consent_events_recorded_at/);
    const [page] = await plansOf(() => pageOfEvents(ledger.store.db, filter, { after: 10, through: 900, limit: 500 }));
    expect(page).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(page).not.toMatch(/TEMP B-TREE/);
  });

  it('scans pages of an export or a verification along the primary key, the call reference by its key', async () => {
    const filter = { since: '2026-10-01T00:00:00.000Z', until: '2026-10-02T00:00:00.000Z', category: 'utility' };
    const plans = await plansOf(async () => {
      const pages = scanEvents(ledger.store.db, filter, {
        columns: ['seq', 'recorded_at'],
        reference: true,
        pageSize: 100,
      });
      for await (const _ of pages);
    });
    const pagePlans = plans.filter((p) => p.includes('calls'));
    expect(pagePlans.length).toBeGreaterThan(0);
    for (const plan of pagePlans) {
      expect(plan).toMatch(/SEARCH e USING INTEGER PRIMARY KEY/);
      expect(plan).toMatch(/SEARCH c USING INDEX sqlite_autoindex_calls_1 \(call_sid=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN/);
    }
  });
});
