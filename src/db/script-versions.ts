import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** The first and the latest text played for one prompt of one script version in one language. */
export async function playedTexts(
  db: Kysely<Database>,
  prompt: { scriptId: string; version: string; language: string; promptId: string },
): Promise<string[]> {
  const base = db
    .selectFrom('statements')
    .select('text')
    .where('script_id', '=', prompt.scriptId)
    .where('script_version', '=', prompt.version)
    .where('language', '=', prompt.language)
    .where('prompt_id', '=', prompt.promptId);
  const first = await base.orderBy('first_used_at', 'asc').limit(1).executeTakeFirst();
  const last = await base.orderBy('first_used_at', 'desc').limit(1).executeTakeFirst();
  return [first?.text, last?.text].filter((t): t is string => t !== undefined);
}

export interface ScriptVersionUse {
  version: string;
  calls: number;
  firstUsedAt: string | null;
  lastUsedAt: string | null;
  events: number;
}

/** Every version of a script that took a call: when it was first and last used, and how many events cite it. */
export async function scriptHistory(db: Kysely<Database>, scriptId: string): Promise<ScriptVersionUse[]> {
  const calls = await db
    .selectFrom('calls')
    .select(({ fn }) => [
      'script_version',
      fn.countAll<number>().as('calls'),
      fn.min('started_at').as('first'),
      fn.max('started_at').as('last'),
    ])
    .where('script_id', '=', scriptId)
    .groupBy('script_version')
    .execute();
  // Through the calls, so the lookup uses the call index of the events rather than reading the whole ledger.
  const events = await db
    .selectFrom('calls as c')
    .innerJoin('consent_events as e', 'e.call_sid', 'c.call_sid')
    .select(['e.script_version', sql<number>`count(*)`.as('events')])
    .where('c.script_id', '=', scriptId)
    .where('e.script_id', '=', scriptId)
    .groupBy('e.script_version')
    .execute();
  const counted = new Map(events.map((e) => [e.script_version ?? '', Number(e.events)]));
  const versions = new Set([...calls.map((c) => c.script_version), ...counted.keys()]);
  return [...versions]
    .map((version) => {
      const c = calls.find((row) => row.script_version === version);
      return {
        version,
        calls: Number(c?.calls ?? 0),
        firstUsedAt: (c?.first as string | undefined) ?? null,
        lastUsedAt: (c?.last as string | undefined) ?? null,
        events: counted.get(version) ?? 0,
      };
    })
    .sort((a, b) => (a.firstUsedAt ?? '').localeCompare(b.firstUsedAt ?? ''));
}
