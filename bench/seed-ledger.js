// @ts-check
// Seeds a ledger file with N consent events through the real append path (appendEvents in write transactions
// of 1,000 events, each chained and hashed as in production), and one call row per event so an export has the
// call's reference to show. Usage: node bench/seed-ledger.js FILE [EVENTS=1000000]. `npm run build` first.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendEvents } from '#dist/db/ledger.js';
import { migrate, openStore, writeTransaction } from '#dist/db/store.js';

export const START = Date.parse('2026-01-01T00:00:00Z');
/** Valid US numbers (exchange 200-999), one per event up to 8 million. */
export const phoneOf = (/** @type {number} */ j) =>
  `+1415${200 + (Math.floor(j / 10_000) % 800)}${String(j % 10_000).padStart(4, '0')}`;
/** The time of event `j`: a minute apart per batch of 1,000. */
export const recordedAtOf = (/** @type {number} */ j) => new Date(START + Math.floor(j / 1000) * 60_000).toISOString();

const STATEMENT = 'Hello, this is Demo Shop. To agree to order updates on WhatsApp, press 1.';
const STATEMENT_SHA256 = createHash('sha256').update(STATEMENT).digest('hex');

/** @param {string} file @param {number} events */
export async function seedLedger(file, events) {
  if (existsSync(file)) throw new Error(`${file} exists already`);
  const store = openStore(file);
  await migrate(store.db);
  await store.db
    .insertInto('statements')
    .values({
      sha256: STATEMENT_SHA256,
      text: STATEMENT,
      script_id: 'demo',
      script_version: '1',
      language: 'en-US',
      voice: 'Polly.Joanna-Neural',
      prompt_id: 'statement',
      first_used_at: '2025-12-01T00:00:00.000Z',
    })
    .execute();
  let id = 0;
  for (let i = 0; i < events; i += 1000) {
    /** @type {import('#dist/db/ledger.js').NewConsentEvent[]} */
    const batch = [];
    /** @type {import('#dist/db/schema.js').NewCall[]} */
    const calls = [];
    for (let j = i; j < Math.min(events, i + 1000); j++) {
      const callSid = `CA${j.toString(16).padStart(32, '0')}`;
      const agent = j % 50 === 7;
      batch.push({
        call_sid: agent ? null : callSid,
        account_sid: agent ? null : `AC${'1'.repeat(32)}`,
        called_number: agent ? null : '+15005550006',
        phone_number: phoneOf(j),
        number_source: 'caller_id',
        business: j % 3 === 0 ? 'Bäckerei Müller' : 'Demo Shop',
        channel: 'whatsapp',
        category: j % 2 ? 'marketing' : 'utility',
        decision: agent ? 'opt_out' : j % 5 === 0 ? 'declined' : 'opt_in',
        digits: agent ? null : '1',
        prompt_id: agent ? null : 'statement',
        attempt: agent ? null : 1,
        source: agent ? 'agent' : 'ivr',
        script_id: agent ? null : 'demo',
        script_version: agent ? null : '1',
        language: agent ? null : j % 3 === 0 ? 'de-DE' : 'en-US',
        voice: agent ? null : 'Polly.Joanna-Neural',
        statement_sha256: agent ? null : STATEMENT_SHA256,
        signature_verified: agent ? null : 1,
        reason: agent ? 'Kunde möchte keine Nachrichten, "sofort"' : null,
      });
      if (!agent) {
        const at = recordedAtOf(j);
        calls.push({
          call_sid: callSid,
          account_sid: `AC${'1'.repeat(32)}`,
          from_number: phoneOf(j),
          to_number: '+15005550006',
          direction: 'inbound',
          script_id: 'demo',
          script_version: '1',
          language: 'en-US',
          reference: String(10_000_000 + j).slice(-8),
          state: '{}',
          turn: 4,
          outcome: j % 5 === 0 ? 'declined' : 'opted_in',
          designated_number: null,
          number_source: 'caller_id',
          started_at: at,
          updated_at: at,
          ended_at: at,
          call_status: 'completed',
          status_sequence: null,
          duration_seconds: 30,
        });
      }
    }
    await writeTransaction(store.db, async (trx) => {
      await appendEvents(trx, batch, {
        recordedAt: recordedAtOf(i),
        newId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
      });
      // After the events: the calls exist for the export's reference, and the events carry no transcript digest
      // (a call with steps would be checked against it by verify).
      for (let k = 0; k < calls.length; k += 200)
        await trx
          .insertInto('calls')
          .values(calls.slice(k, k + 200))
          .execute();
    });
  }
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, n = '1000000'] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/seed-ledger.js FILE [EVENTS]');
  const started = performance.now();
  await seedLedger(file, Number(n));
  process.stderr.write(`seeded ${n} events into ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
