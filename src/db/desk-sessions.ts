import type { Kysely } from 'kysely';
import type { DeskSession } from './desk-schema.js';
import type { Database } from './schema.js';

export async function insertDeskSession(db: Kysely<Database>, session: DeskSession): Promise<void> {
  await db.insertInto('desk_sessions').values(session).execute();
}

export function findDeskSession(db: Kysely<Database>, tokenSha256: string): Promise<DeskSession | undefined> {
  return db.selectFrom('desk_sessions').selectAll().where('token_sha256', '=', tokenSha256).executeTakeFirst();
}

export async function touchDeskSession(db: Kysely<Database>, tokenSha256: string, at: string): Promise<void> {
  await db.updateTable('desk_sessions').set({ last_seen_at: at }).where('token_sha256', '=', tokenSha256).execute();
}

export async function deleteDeskSession(db: Kysely<Database>, tokenSha256: string): Promise<void> {
  await db.deleteFrom('desk_sessions').where('token_sha256', '=', tokenSha256).execute();
}

/** Drops sessions idle since before `idleBefore`: they can never be used again. */
export async function deleteIdleDeskSessions(db: Kysely<Database>, idleBefore: string): Promise<void> {
  await db.deleteFrom('desk_sessions').where('last_seen_at', '<', idleBefore).execute();
}
