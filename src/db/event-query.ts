import type { Kysely } from 'kysely';
import type { Decision } from '../ledger-vocabulary.js';
import { unindexedRecordedAt } from './dialect.js';
import type { ConsentEvent, Database } from './schema.js';

/** Which events an export or a page holds. Times are ledger timestamps (ISO, UTC, ms): `since` ≤ t < `until`. */
export interface EventFilter {
  since?: string;
  until?: string;
  decision?: Decision;
  category?: string;
  business?: string;
  /** E.164. */
  phone?: string;
}

function filtered(db: Kysely<Database>, filter: EventFilter) {
  // Keeps SQLite off the recorded_at index for pages: with it, every page of a period would re-read and re-sort
  // the whole period to find its next rows by seq. The seq walk reads each row once.
  const recordedAt = unindexedRecordedAt(db);
  let query = db.selectFrom('consent_events');
  if (filter.since !== undefined) query = query.where(recordedAt, '>=', filter.since);
  if (filter.until !== undefined) query = query.where(recordedAt, '<', filter.until);
  if (filter.decision !== undefined) query = query.where('decision', '=', filter.decision);
  if (filter.category !== undefined) query = query.where('category', '=', filter.category);
  if (filter.business !== undefined) query = query.where('business', '=', filter.business);
  if (filter.phone !== undefined) query = query.where('phone_number', '=', filter.phone);
  return query;
}

/**
 * The events after `after` (a seq) that match, oldest first: one page of a keyset walk, so each page costs the
 * same however deep into the ledger it is.
 */
export function pageOfEvents(
  db: Kysely<Database>,
  filter: EventFilter,
  page: { after: number; limit: number; through?: number | undefined },
): Promise<ConsentEvent[]> {
  let query = filtered(db, filter).selectAll().where('seq', '>', page.after);
  if (page.through !== undefined) query = query.where('seq', '<=', page.through);
  return query.orderBy('seq').limit(page.limit).execute();
}

/**
 * The first and last seq recorded in the filter's period (one pass over the recorded_at index), so a walk over a
 * period starts at its first event and stops at its last instead of reading the whole ledger around it.
 */
export async function seqRangeOf(
  db: Kysely<Database>,
  filter: EventFilter,
): Promise<{ first: number; last: number } | undefined> {
  let query = db.selectFrom('consent_events');
  if (filter.since !== undefined) query = query.where('recorded_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('recorded_at', '<', filter.until);
  const row = await query
    .select(({ fn }) => [fn.min<number | null>('seq').as('first'), fn.max<number | null>('seq').as('last')])
    .executeTakeFirstOrThrow();
  return row.first === null || row.last === null ? undefined : { first: row.first, last: row.last };
}

export async function countEvents(db: Kysely<Database>, filter: EventFilter): Promise<number> {
  const row = await filtered(db, filter)
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The categories ever recorded for one number and business. */
export async function categoriesOf(db: Kysely<Database>, phone: string, business: string): Promise<string[]> {
  const rows = await db
    .selectFrom('consent_events')
    .select('category')
    .distinct()
    .where('phone_number', '=', phone)
    .where('business', '=', business)
    .orderBy('category')
    .execute();
  return rows.map((r) => r.category);
}

/**
 * The businesses the ledger holds events for, or the categories it holds for one business: what an export filter
 * can match. A filter naming anything else would silently export nothing.
 */
export async function ledgerValues(
  db: Kysely<Database>,
  column: 'business' | 'category',
  business?: string,
): Promise<string[]> {
  let query = db.selectFrom('consent_events').select(column).distinct();
  if (business !== undefined) query = query.where('business', '=', business);
  const rows = await query.orderBy(column).execute();
  return rows.map((r) => (r as Record<typeof column, string>)[column]);
}
