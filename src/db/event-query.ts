import type { Kysely } from 'kysely';
import type { ConsentEvent, Database, Decision } from './schema.js';

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
  let query = db.selectFrom('consent_events');
  if (filter.since !== undefined) query = query.where('recorded_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('recorded_at', '<', filter.until);
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
  page: { after: number; limit: number },
): Promise<ConsentEvent[]> {
  return filtered(db, filter).selectAll().where('seq', '>', page.after).orderBy('seq').limit(page.limit).execute();
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
