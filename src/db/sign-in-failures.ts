import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface FailureCount {
  key: string;
  failures: number;
  last_failure_at: string;
}

export function failuresFor(db: Kysely<Database>, keys: string[]): Promise<FailureCount[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return db.selectFrom('desk_sign_in_failures').selectAll().where('key', 'in', keys).execute();
}

/** One more failure for each key; a count older than `forgetBefore` starts again from one. */
export async function addFailure(
  db: Kysely<Database>,
  keys: string[],
  at: string,
  forgetBefore: string,
): Promise<void> {
  for (const key of keys) {
    await db
      .insertInto('desk_sign_in_failures')
      .values({ key, failures: 1, last_failure_at: at })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          failures: eb
            .case()
            .when('desk_sign_in_failures.last_failure_at', '<', forgetBefore)
            .then(1)
            .else(eb('desk_sign_in_failures.failures', '+', 1))
            .end(),
          last_failure_at: at,
        })),
      )
      .execute();
  }
}

export async function clearFailures(db: Kysely<Database>, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.deleteFrom('desk_sign_in_failures').where('key', 'in', keys).execute();
}
