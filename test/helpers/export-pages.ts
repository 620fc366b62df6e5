import type { Kysely } from 'kysely';
import type { EventFilter } from '../../src/db/event-query.js';
import { type EventValues, scanEvents } from '../../src/db/event-scan.js';
import type { ConsentEvent, Database } from '../../src/db/schema.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';

/** Events as the one page of full rows a scan of all columns would give an export. */
export async function* pagesOf(events: ConsentEvent[]): AsyncGenerator<EventValues[]> {
  yield events.map((e) => EXPORT_COLUMNS.map((c) => e[c] ?? null));
}

/** The events an export of `filter` reads, as objects, through the same scan, `pageSize` at a time. */
export async function scanned(db: Kysely<Database>, filter: EventFilter, pageSize?: number): Promise<ConsentEvent[]> {
  const events: ConsentEvent[] = [];
  const options = { columns: EXPORT_COLUMNS, ...(pageSize ? { pageSize } : {}) };
  for await (const page of scanEvents(db, filter, options)) {
    for (const values of page) {
      events.push(Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, values[i]])) as unknown as ConsentEvent);
    }
  }
  return events;
}
