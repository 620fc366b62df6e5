import type { Generated, Selectable } from 'kysely';

/** A named person who may sign in to the consent desk. */
export interface DeskUsersTable {
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without breaking old hashes. */
  password_hash: string;
  created_at: string;
  password_changed_at: string;
}

export interface DeskSessionsTable {
  /** SHA-256 of the cookie's token: a copy of the database does not let anyone sign in. */
  token_sha256: string;
  user_name: string;
  csrf_token: string;
  address: string;
  created_at: string;
  last_seen_at: string;
}

export interface DeskSignInFailuresTable {
  /** `user:<name>` or `address:<ip>`. */
  key: string;
  failures: number;
  last_failure_at: string;
}

/** Append-only: who did what on the desk, when and from where. */
export interface DeskAccessLogTable {
  id: Generated<number>;
  at: string;
  user_name: string | null;
  address: string;
  action: string;
  target: string | null;
  detail: string | null;
}

export type DeskUser = Selectable<DeskUsersTable>;
export type DeskSession = Selectable<DeskSessionsTable>;
export type DeskAccessEntry = Selectable<DeskAccessLogTable>;
