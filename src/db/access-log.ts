import type { Kysely } from 'kysely';
import type { DeskAccessEntry } from './desk-schema.js';
import type { Database } from './schema.js';

export type NewAccessEntry = Omit<DeskAccessEntry, 'id'>;

export async function logAccess(db: Kysely<Database>, entry: NewAccessEntry): Promise<void> {
  await db.insertInto('desk_access_log').values(entry).execute();
}

/** Newest first, a page at a time: entries with an id below `before`. */
export function accessLogPage(
  db: Kysely<Database>,
  page: { before?: number | undefined; limit: number; action?: string | undefined },
): Promise<DeskAccessEntry[]> {
  let query = db.selectFrom('desk_access_log').selectAll();
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  if (page.action !== undefined) query = query.where('action', '=', page.action);
  return query.orderBy('id', 'desc').limit(page.limit).execute();
}

/** The latest entry of one action (the last chain check run from the desk, say). */
export function latestAccess(db: Kysely<Database>, action: string): Promise<DeskAccessEntry | undefined> {
  return db
    .selectFrom('desk_access_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
