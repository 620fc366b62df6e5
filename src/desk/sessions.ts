import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isoTimestamp } from '../clock.js';
import type { DeskSession } from '../db/desk-schema.js';
import {
  deleteDeskSession,
  deleteIdleDeskSessions,
  findDeskSession,
  insertDeskSession,
  touchDeskSession,
} from '../db/desk-sessions.js';
import type { Database } from '../db/schema.js';

/** A session lasts at most a working day, however active. */
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Writing `last_seen_at` on every request would make each page view a write; a minute is precise enough. */
const TOUCH_EVERY_MS = 60 * 1000;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function startSession(
  db: Kysely<Database>,
  user: string,
  address: string,
  now: Date,
): Promise<{ token: string; session: DeskSession }> {
  const token = newToken();
  const at = isoTimestamp(now);
  const session = {
    token_sha256: tokenHash(token),
    user_name: user,
    csrf_token: newToken(),
    address,
    created_at: at,
    last_seen_at: at,
  };
  await insertDeskSession(db, session);
  return { token, session };
}

export type SessionLookup = { session: DeskSession } | { expired: true } | undefined;

/** The live session behind a cookie's token; an idle or too old one is deleted and reported as expired. */
export async function resumeSession(
  db: Kysely<Database>,
  token: string,
  now: Date,
  idleMinutes: number,
): Promise<SessionLookup> {
  const hash = tokenHash(token);
  const session = await findDeskSession(db, hash);
  if (!session) return undefined;
  const idleSince = now.getTime() - idleMinutes * 60 * 1000;
  const seen = Date.parse(session.last_seen_at);
  if (seen < idleSince || Date.parse(session.created_at) < now.getTime() - MAX_AGE_MS) {
    await deleteDeskSession(db, hash);
    await deleteIdleDeskSessions(db, isoTimestamp(new Date(idleSince)));
    return { expired: true };
  }
  if (now.getTime() - seen >= TOUCH_EVERY_MS) await touchDeskSession(db, hash, isoTimestamp(now));
  return { session };
}

export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await deleteDeskSession(db, tokenHash(token));
}
