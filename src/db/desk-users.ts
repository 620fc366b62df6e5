import type { Kysely } from 'kysely';
import type { DeskUser } from './desk-schema.js';
import type { Database } from './schema.js';

export function findDeskUser(db: Kysely<Database>, name: string): Promise<DeskUser | undefined> {
  return db.selectFrom('desk_users').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listDeskUsers(db: Kysely<Database>): Promise<DeskUser[]> {
  return db.selectFrom('desk_users').selectAll().orderBy('name').execute();
}

/** True when at least one desk user exists: without one the desk is not there at all. */
export async function hasDeskUsers(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('desk_users').select('name').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function insertDeskUser(
  db: Kysely<Database>,
  user: { name: string; password_hash: string; at: string },
): Promise<void> {
  await db
    .insertInto('desk_users')
    .values({ name: user.name, password_hash: user.password_hash, created_at: user.at, password_changed_at: user.at })
    .execute();
}

/** Sets a new password and ends every session of the user: whoever had the old one is signed out. */
export async function setDeskPassword(
  db: Kysely<Database>,
  name: string,
  passwordHash: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('desk_users')
    .set({ password_hash: passwordHash, password_changed_at: at })
    .where('name', '=', name)
    .executeTakeFirst();
  await db.deleteFrom('desk_sessions').where('user_name', '=', name).execute();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteDeskUser(db: Kysely<Database>, name: string): Promise<boolean> {
  await db.deleteFrom('desk_sessions').where('user_name', '=', name).execute();
  const result = await db.deleteFrom('desk_users').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
