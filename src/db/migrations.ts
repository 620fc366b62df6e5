import { type Kysely, type Migration, sql } from 'kysely';
import { addAutoIncrementId, guardChainHead, refuseChanges } from './dialect.js';

// Kept in code (not files on disk) so they survive bundling and always match the code that reads the tables.
export const migrations: Record<string, Migration> = {
  '2026-11-25-001-ledger': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calls')
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('account_sid', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('direction', 'text')
        .addColumn('script_id', 'text', (c) => c.notNull())
        .addColumn('script_version', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('turn', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('designated_number', 'text')
        .addColumn('number_source', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('call_status', 'text')
        .addColumn('status_sequence', 'integer')
        .addColumn('duration_seconds', 'integer')
        .execute();
      await db.schema.createIndex('calls_reference').on('calls').column('reference').execute();
      await db.schema.createIndex('calls_started_at').on('calls').column('started_at').execute();

      await addAutoIncrementId(db, db.schema.createTable('call_steps'), 'id')
        .addColumn('call_sid', 'text', (c) => c.notNull().references('calls.call_sid'))
        .addColumn('turn', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('prompt_id', 'text')
        .addColumn('statement_sha256', 'text')
        .addColumn('digits', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('call_steps_call').on('call_steps').columns(['call_sid', 'id']).execute();

      await db.schema
        .createTable('call_turns')
        .addColumn('call_sid', 'text', (c) => c.notNull().references('calls.call_sid'))
        .addColumn('turn', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_turns_pk', ['call_sid', 'turn'])
        .execute();

      await db.schema
        .createTable('statements')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('script_id', 'text', (c) => c.notNull())
        .addColumn('script_version', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('voice', 'text', (c) => c.notNull())
        .addColumn('prompt_id', 'text', (c) => c.notNull())
        .addColumn('first_used_at', 'text', (c) => c.notNull())
        .execute();

      // The CHECK lists below are written out, not taken from src/ledger-vocabulary.ts: a migration states the schema
      // as it was when it ran, and must not change when a constant does. A new allowed value needs a new migration.
      await db.schema
        .createTable('consent_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('call_sid', 'text')
        .addColumn('account_sid', 'text')
        .addColumn('called_number', 'text')
        .addColumn('phone_number', 'text')
        .addColumn('number_source', 'text')
        .addColumn('business', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('opt_in', 'declined', 'opt_out')`))
        .addColumn('digits', 'text')
        .addColumn('prompt_id', 'text')
        .addColumn('attempt', 'integer')
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('ivr', 'agent', 'api')`))
        .addColumn('script_id', 'text')
        .addColumn('script_version', 'text')
        .addColumn('language', 'text')
        .addColumn('voice', 'text')
        .addColumn('statement_sha256', 'text')
        .addColumn('signature_verified', 'integer')
        .addColumn('reason', 'text')
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      // "May I message this number?" must be an index lookup, never a scan.
      await db.schema
        .createIndex('consent_events_subscriber')
        .on('consent_events')
        .columns(['phone_number', 'business', 'category', 'seq'])
        .execute();
      await db.schema.createIndex('consent_events_call').on('consent_events').column('call_sid').execute();
      await db.schema.createIndex('consent_events_recorded_at').on('consent_events').column('recorded_at').execute();

      // Evidence is never edited: a withdrawal is a new event, not a changed row.
      for (const table of ['consent_events', 'statements']) await refuseChanges(db, table);
    },
  },
  '2026-11-25-002-idempotency-keys': {
    async up(db: Kysely<unknown>) {
      // The first answer to a request that carried an Idempotency-Key, returned again when the client retries.
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '2026-11-25-003-insert-guards': {
    async up(db: Kysely<unknown>) {
      // UPDATE and DELETE triggers do not stop a plain INSERT of a row outside the chain (seq 0, a forged hash),
      // nor INSERT OR REPLACE, which deletes without firing delete triggers. A new event must extend the head;
      // a text once kept is never replaced.
      await guardChainHead(db);
    },
  },
  '2026-11-28-011-script-versions': {
    async up(db: Kysely<unknown>) {
      // Start-up compares a script's words with those already played under its id and version, and
      // `scripts history` lists each version's calls: both look up by script, never by scanning every call.
      await db.schema
        .createIndex('statements_by_script')
        .on('statements')
        .columns(['script_id', 'script_version', 'language', 'prompt_id', 'first_used_at'])
        .execute();
      await db.schema
        .createIndex('calls_by_script')
        .on('calls')
        .columns(['script_id', 'script_version', 'started_at'])
        .execute();
    },
  },
  '2026-11-28-013-desk': {
    async up(db: Kysely<unknown>) {
      // Desk users sign in with a password kept only as a scrypt hash (its parameters inside the text).
      await db.schema
        .createTable('desk_users')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('password_changed_at', 'text', (c) => c.notNull())
        .execute();
      // Sessions live in the database so a restart signs nobody out; only a hash of the cookie is kept.
      await db.schema
        .createTable('desk_sessions')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull().references('desk_users.name').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('desk_sessions_user').on('desk_sessions').column('user_name').execute();
      // Failed sign-ins per user name and per address, to slow guessing down.
      await db.schema
        .createTable('desk_sign_in_failures')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_failure_at', 'text', (c) => c.notNull())
        .execute();
      // Who looked at which consent records, exported or revoked them: evidence too, so append-only.
      await addAutoIncrementId(db, db.schema.createTable('desk_access_log'), 'id')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('desk_access_log_action').on('desk_access_log').columns(['action', 'id']).execute();
      await refuseChanges(db, 'desk_access_log');
      // The desk finds a number's calls, answered or not, by the caller ID and by the number keyed in.
      await db.schema.createIndex('calls_from_number').on('calls').column('from_number').execute();
      await db.schema.createIndex('calls_designated_number').on('calls').column('designated_number').execute();
    },
  },
  '2026-11-28-014-write-probe': {
    async up(db: Kysely<unknown>) {
      // /readyz commits one row here to learn whether a write reaches the disk right now; never part of the ledger.
      await db.schema
        .createTable('write_probe')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '2026-11-28-016-evidence': {
    async up(db: Kysely<unknown>) {
      // Each IVR decision carries the digest of its call's transcript up to the deciding key, inside its hash.
      await db.schema.alterTable('consent_events').addColumn('transcript_sha256', 'text').execute();
    },
    // Only for going back to the release before it (and for tests of a pending migration): nothing hashes it then.
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('consent_events').dropColumn('transcript_sha256').execute();
    },
  },
  '2026-11-29-200-chain-id': {
    async up(db: Kysely<unknown>) {
      // Every event names its chain (one today), so the ledger can later be split per business: verification
      // walks each chain as it walks the one today. Not hashed: moving an event to another chain breaks both.
      await db.schema
        .alterTable('consent_events')
        .addColumn('chain_id', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
    // Only for going back to the release before it (and for tests of a pending migration): nothing hashes it.
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('consent_events').dropColumn('chain_id').execute();
    },
  },
};
