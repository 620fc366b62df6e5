import type { Kysely } from 'kysely';
import { type EventFilter, pageOfEvents, seqRangeOf } from '../db/event-query.js';
import type { ConsentEvent, Database } from '../db/schema.js';

/**
 * The matching events, oldest first, a page at a time. better-sqlite3 answers synchronously, so between pages
 * this waits for the event loop's next turn: a voice webhook that arrived meanwhile is answered before the
 * export reads on. Callers come first.
 */
export async function* streamEvents(
  db: Kysely<Database>,
  filter: EventFilter,
  pageSize = 500,
): AsyncGenerator<ConsentEvent> {
  let after = 0;
  let through: number | undefined;
  if (filter.since !== undefined || filter.until !== undefined) {
    const range = await seqRangeOf(db, filter);
    if (!range) return;
    after = range.first - 1;
    through = range.last;
  }
  for (;;) {
    const page = await pageOfEvents(db, filter, { after, limit: pageSize, through });
    yield* page;
    if (page.length < pageSize) return;
    after = (page.at(-1) as ConsentEvent).seq;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
