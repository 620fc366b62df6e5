import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { migrate, openStore, type Store } from '../../src/db/store.js';
import { startServe } from '../helpers/cli.js';
import { type TestDatabase, testDatabaseUrl } from '../helpers/engines.js';
import { callSid, TEST_TOKEN } from '../helpers/server.js';
import { CALL_STEPS, EVENTS_PER_CALL, isApology, sendStep } from '../helpers/whole-call.js';

// Three stateless servers behind a load balancer, sharing one PostgreSQL ledger: each takes calls at once, and
// one of them is killed with SIGKILL in the middle of its calls.
const CALLS_PER_SERVER = 8;

let database: TestDatabase;
let store: Store;
beforeAll(async () => {
  database = await testDatabaseUrl('postgres');
  // Migrated once here, as an operator runs `optin-ivr migrate` before starting servers (each would also try).
  store = openStore(database.url);
  await migrate(store.db);
});
afterAll(async () => {
  await store?.close();
  await database?.remove();
});

describe('three server processes on one PostgreSQL ledger', () => {
  it('one unbroken chain with every confirmed decision, when one server is killed mid-run', async () => {
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '3',
      TWILIO_AUTH_TOKEN: TEST_TOKEN,
      LOG_LEVEL: 'info',
      VOICE_SCRIPTS_DIR: resolve('voice-scripts'),
    };
    const servers = [await startServe(env), await startServe(env), await startServe(env)];
    const [a, b, victim] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]];
    let victimAlive = true;
    let victimConfirmed = 0;
    /** (call, turn) pairs whose answer reached the caller: each must be in the ledger. */
    const confirmed = new Set<string>();
    /** Failures heard by callers of the two servers that were not killed: there must be none. */
    const survivorsFailures: string[] = [];
    const victimExited = once(victim.child, 'exit');

    // The survivors' calls alternate between them step by step, as a load balancer spreads webhooks.
    const survivorCall = async (sid: string, i: number) => {
      for (let step = 0; step < CALL_STEPS.length; step++) {
        const url = (i + step) % 2 === 0 ? a.url : b.url;
        const { status, text } = await sendStep(url, sid, step);
        if (status >= 300 || isApology(text)) survivorsFailures.push(`${sid} ${CALL_STEPS[step]}: ${status} ${text}`);
        else if (step < 4) confirmed.add(`${sid}:${step}`);
      }
    };
    // The victim's calls go to it until it dies; a webhook cut off is sent again to a survivor, as Twilio's retry
    // (or the load balancer) would.
    const victimCall = async (sid: string) => {
      let step = 0;
      while (step < CALL_STEPS.length) {
        const url = victimAlive ? victim.url : a.url;
        try {
          const { status, text } = await sendStep(url, sid, step);
          if (status >= 300 || isApology(text)) throw new Error(`${status} ${text}`);
          if (step < 4) confirmed.add(`${sid}:${step}`);
          if (url === victim.url && ++victimConfirmed === CALLS_PER_SERVER) {
            // Mid-run: its calls are between turns and in flight.
            victimAlive = false;
            victim.child.kill('SIGKILL');
          }
          step += 1;
        } catch (err) {
          if (url !== victim.url) throw err;
          await victimExited;
        }
      }
    };
    const survivorCalls = Array.from({ length: 2 * CALLS_PER_SERVER }, (_, i) => callSid(0x7100 + i));
    const victimCalls = Array.from({ length: CALLS_PER_SERVER }, (_, i) => callSid(0x7200 + i));
    try {
      await Promise.all([...survivorCalls.map(survivorCall), ...victimCalls.map((sid) => victimCall(sid))]);
    } finally {
      for (const p of servers) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill('SIGTERM');
          await once(p.child, 'exit');
        }
      }
    }
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(survivorsFailures).toEqual([]);

    const all = [...survivorCalls, ...victimCalls];
    const events = await store.db
      .selectFrom('consent_events')
      .select(['seq', 'call_sid', 'category'])
      .orderBy('seq')
      .execute();
    // One chain, no gap, no fork; each decision once.
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: all.length * EVENTS_PER_CALL }, (_, i) => i + 1));
    for (const sid of all) {
      expect(events.filter((e) => e.call_sid === sid).map((e) => e.category)).toEqual(['utility', 'marketing']);
    }
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: all.length * EVENTS_PER_CALL });
    const turns = await store.db.selectFrom('call_turns').select(['call_sid', 'turn']).execute();
    const committed = new Set(turns.map((t) => `${t.call_sid}:${t.turn}`));
    expect([...confirmed].filter((k) => !committed.has(k))).toEqual([]);
  }, 180_000);
});
