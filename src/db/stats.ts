import { type Kysely, sql } from 'kysely';
import type { Decision } from '../ledger-vocabulary.js';
import type { Database } from './schema.js';

/** A period of ledger time, `since` ≤ t < `until` (ISO, UTC); either end may be open. */
export interface Period {
  since?: string | undefined;
  until?: string | undefined;
}

export interface DecisionCount {
  day: string;
  business: string;
  category: string;
  decision: Decision;
  n: number;
}

export interface CallCount {
  day: string;
  script_id: string;
  outcome: string | null;
  n: number;
}

/** Events per UTC day, business, category and decision: one pass over the recorded_at index. */
export async function decisionCounts(
  db: Kysely<Database>,
  period: Period,
  business?: string,
): Promise<DecisionCount[]> {
  const day = sql<string>`substr(recorded_at, 1, 10)`;
  let query = db
    .selectFrom('consent_events')
    .select(({ fn }) => [day.as('day'), 'business', 'category', 'decision', fn.countAll<number>().as('n')]);
  if (period.since !== undefined) query = query.where('recorded_at', '>=', period.since);
  if (period.until !== undefined) query = query.where('recorded_at', '<', period.until);
  if (business !== undefined) query = query.where('business', '=', business);
  const rows = await query.groupBy([day, 'business', 'category', 'decision']).execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Calls per UTC day (of their start), voice script and outcome; `abandoned` is a call that ended undecided. */
export async function callCounts(db: Kysely<Database>, period: Period): Promise<CallCount[]> {
  const day = sql<string>`substr(started_at, 1, 10)`;
  let query = db
    .selectFrom('calls')
    .select(({ fn }) => [day.as('day'), 'script_id', 'outcome', fn.countAll<number>().as('n')]);
  if (period.since !== undefined) query = query.where('started_at', '>=', period.since);
  if (period.until !== undefined) query = query.where('started_at', '<', period.until);
  const rows = await query.groupBy([day, 'script_id', 'outcome']).execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The chain head to publish: how many events, the last one's hash and time. */
export async function ledgerHead(
  db: Kysely<Database>,
): Promise<{ events: number; head: string | null; recorded_at: string | null }> {
  const row = await db
    .selectFrom('consent_events')
    .select(['seq', 'hash', 'recorded_at'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { events: row?.seq ?? 0, head: row?.hash ?? null, recorded_at: row?.recorded_at ?? null };
}
