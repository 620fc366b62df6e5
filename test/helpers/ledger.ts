import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { appendEvents, type NewConsentEvent } from '../../src/db/ledger.js';
import { newIvrEvent } from '../../src/db/new-event.js';
import type { ConsentEvent, Database, NewCall } from '../../src/db/schema.js';
import { keepStatements } from '../../src/db/statements.js';
import { migrate, openStore, type Store, writeTransaction } from '../../src/db/store.js';
import { sha256Hex } from '../../src/hash.js';
import { type Engine, testDatabaseUrl } from './engines.js';

/**
 * A migrated ledger, empty: a fresh SQLite file in a temp dir, or a fresh PostgreSQL schema (`engine`).
 * `file` is what DATABASE_URL names (the file, or the PostgreSQL URL); `dir` is a temp dir either way.
 */
export async function tempStore(
  engine: Engine = 'sqlite',
): Promise<{ store: Store; dir: string; file: string; remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'optin-ledger-'));
  const database = await testDatabaseUrl(engine, dir);
  const store = openStore(database.url, { postgres: { poolSize: 4 } });
  await migrate(store.db);
  return {
    store,
    dir,
    file: database.url,
    remove: async () => {
      await store.close();
      await database.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The words the test events answer; kept in `statements` by `addEvents`, as the call flow keeps them. */
export const TEST_STATEMENT = 'Hello, this is Demo Shop. To agree to order updates on WhatsApp, press 1.';
export const TEST_STATEMENT_SHA256 = sha256Hex(TEST_STATEMENT);

/** Keeps the test statement, as a call would have before recording a decision that answers it. */
export async function keepTestStatement(db: Kysely<Database>): Promise<void> {
  await keepStatements(db, [
    {
      sha256: TEST_STATEMENT_SHA256,
      text: TEST_STATEMENT,
      script_id: 'demo',
      script_version: '1',
      language: 'en-US',
      voice: 'Polly.Joanna-Neural',
      prompt_id: 'statement',
      first_used_at: '2026-10-01T00:00:00.000Z',
    },
  ]);
}

/** An IVR opt-in as the call flow records it; override what a test is about. */
export function ivrEvent(overrides: Partial<NewConsentEvent> = {}): NewConsentEvent {
  return newIvrEvent({
    call_sid: `CA${'1'.repeat(32)}`,
    account_sid: `AC${'a'.repeat(32)}`,
    called_number: '+15005550006',
    phone_number: '+14155550123',
    number_source: 'caller_id',
    business: 'Demo Shop',
    category: 'utility',
    decision: 'opt_in',
    digits: '1',
    prompt_id: 'statement',
    attempt: 1,
    script_id: 'demo',
    script_version: '1',
    language: 'en-US',
    voice: 'Polly.Joanna-Neural',
    statement_sha256: TEST_STATEMENT_SHA256,
    signature_verified: 1,
    ...overrides,
  });
}

let ids = 0;

/** Appends events through the one real write path, all stamped `recordedAt`. */
export function addEvents(
  store: Store,
  events: NewConsentEvent[],
  recordedAt = '2026-11-10T12:00:00.000Z',
): Promise<ConsentEvent[]> {
  return writeTransaction(store.db, async (trx) => {
    await keepTestStatement(trx);
    return appendEvents(trx, events, {
      recordedAt,
      newId: () => `00000000-0000-4000-9000-${String(++ids).padStart(12, '0')}`,
    });
  });
}

/** Many events in batches (SQLite limits the variables of one INSERT). */
export async function addManyEvents(store: Store, count: number, start = '2026-10-01T00:00:00.000Z'): Promise<void> {
  const t0 = Date.parse(start);
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) =>
      ivrEvent({
        phone_number: `+1415555${String((i + j) % 10_000).padStart(4, '0')}`,
        category: (i + j) % 2 === 0 ? 'utility' : 'marketing',
      }),
    );
    await addEvents(store, batch, new Date(t0 + i * 1000).toISOString());
  }
}

export function allEvents(store: Store): Promise<ConsentEvent[]> {
  return store.db.selectFrom('consent_events').selectAll().orderBy('seq').execute();
}

/** The events as an export or the API holds them: every column but the chain id, not exported while there is one chain. */
export function asExported(events: ConsentEvent[]): Omit<ConsentEvent, 'chain_id'>[] {
  return events.map(({ chain_id, ...event }) => event);
}

/** A `calls` row of the demo script's first call, inbound, still in progress; `overrides` sets the rest. */
export function callRow(overrides: Partial<NewCall> = {}): NewCall {
  return {
    call_sid: `CA${'1'.repeat(32)}`,
    account_sid: `AC${'a'.repeat(32)}`,
    from_number: '+14155550123',
    to_number: '+15005550006',
    direction: 'inbound',
    script_id: 'demo',
    script_version: '1',
    language: 'en-US',
    reference: '123456',
    state: '{}',
    turn: 1,
    outcome: null,
    designated_number: null,
    number_source: null,
    started_at: '2026-11-25T10:00:00.000Z',
    updated_at: '2026-11-25T10:00:05.000Z',
    ended_at: null,
    call_status: 'in-progress',
    status_sequence: null,
    duration_seconds: null,
    ...overrides,
  };
}
