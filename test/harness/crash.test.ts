import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { openStore } from '../../src/db/store.js';
import { startServe } from '../helpers/cli.js';
import { callSid, TEST_TOKEN } from '../helpers/server.js';
import { CALL_STEPS, EVENTS_PER_CALL, isApology, seededRandom, sendStep } from '../helpers/whole-call.js';

const ROUNDS = 10;
const CALLERS = 6;
const dir = mkdtempSync(join(tmpdir(), 'optin-crash-'));
const dbFile = join(dir, 'optin.db');
const env = {
  DATABASE_URL: dbFile,
  TWILIO_AUTH_TOKEN: TEST_TOKEN,
  // info: startServe waits for the "listening" line.
  LOG_LEVEL: 'info',
  VOICE_SCRIPTS_DIR: resolve('voice-scripts'),
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Call {
  sid: string;
  /** The next webhook to send; one cut by a crash is sent again, as Twilio's retry would. */
  next: number;
}

/** Every (call, turn) whose answer reached the caller: each must be in the ledger after any crash. */
const confirmed = new Set<string>();

async function checkConfirmedAreCommitted(): Promise<void> {
  const store = openStore(dbFile, { readonly: true });
  try {
    const turns = await store.db.selectFrom('call_turns').select(['call_sid', 'turn']).execute();
    const committed = new Set(turns.map((t) => `${t.call_sid}:${t.turn}`));
    const lost = [...confirmed].filter((k) => !committed.has(k));
    expect(lost).toEqual([]);
    const events = await store.db.selectFrom('consent_events').select(['call_sid', 'category']).execute();
    const keys = events.map((e) => `${e.call_sid}:${e.category}`);
    expect(keys.length).toBe(new Set(keys).size);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
}

describe('crash: the server killed with SIGKILL at random moments under concurrent calls', () => {
  it(`loses no confirmed decision and duplicates none over ${ROUNDS} rounds`, async () => {
    const seed = Date.now() % 2 ** 31;
    console.log(`crash harness seed ${seed}`);
    const random = seededRandom(seed);
    const calls: Call[] = [];
    let made = 0;
    const takeCall = (): Call => {
      const open = calls.find((c) => c.next < CALL_STEPS.length && !busy.has(c.sid));
      if (open) return open;
      const call = { sid: callSid(0x9000_0000 + made++), next: 0 };
      calls.push(call);
      return call;
    };
    const busy = new Set<string>();

    for (let round = 0; round < ROUNDS; round++) {
      const { child, url } = await startServe(env);
      let alive = true;
      const exited = once(child, 'exit');
      const caller = async () => {
        while (alive) {
          const call = takeCall();
          busy.add(call.sid);
          try {
            const { status, text } = await sendStep(url, call.sid, call.next);
            if (status >= 300 || isApology(text)) throw new Error(`${CALL_STEPS[call.next]}: ${status} ${text}`);
            if (call.next < 4) confirmed.add(`${call.sid}:${call.next}`);
            call.next += 1;
          } catch (err) {
            // The connection died with the server: this webhook was cut; it is sent again after the restart.
            if (alive && !String((err as Error).message).includes('fetch failed')) throw err;
          } finally {
            busy.delete(call.sid);
          }
        }
      };
      const callers = Array.from({ length: CALLERS }, caller);
      setTimeout(() => child.kill('SIGKILL'), 50 + Math.floor(random() * 400));
      await exited;
      alive = false;
      await Promise.all(callers);
      await checkConfirmedAreCommitted();
    }
    expect(confirmed.size).toBeGreaterThan(0);

    // After the last crash every call is carried on from the webhook that was cut, to the end.
    const { child, url } = await startServe(env);
    try {
      for (const call of calls) {
        for (; call.next < CALL_STEPS.length; call.next++) {
          const { status, text } = await sendStep(url, call.sid, call.next);
          expect(status < 300 && !isApology(text), `${call.sid} ${CALL_STEPS[call.next]}: ${text}`).toBe(true);
        }
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await checkConfirmedAreCommitted();
    const store = openStore(dbFile, { readonly: true });
    try {
      const events = await store.db.selectFrom('consent_events').select(['call_sid']).execute();
      expect(events.length).toBe(calls.length * EVENTS_PER_CALL);
      expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: calls.length * EVENTS_PER_CALL });
    } finally {
      await store.close();
    }
  }, 240_000);
});
